/**
 * One agent connection, from its first frame to its close: checks every message against the
 * protocol, handles them strictly in arrival order, and answers. A message that breaks the
 * protocol or is refused gets an `error` message and the connection is closed; nothing it asked
 * for is applied. Usage is acked only once its transaction is durable.
 */

import type { Logger } from '@capd/log'
import {
  CLOSE,
  type ControllerMessage,
  type Hello,
  PROTOCOL_VERSION,
  parseAgentMessage,
  type State,
  type SubscriberLimit,
  type Synced,
  type Usage,
} from '@capd/protocol'
import { agentTakes } from '../domain/agent-capabilities.js'
import { recordProblems } from '../domain/agent-problems.js'
import { recordStates } from '../domain/agent-state.js'
import { recordHello, requireLiveAgent } from '../domain/agents.js'
import { limitsFor } from '../domain/limits.js'
import { noteSyncSent, recordSynced } from '../domain/move-bounds.js'
import { usageMarkId } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { AgentSocket } from './agent-socket.js'
import { closeFor } from './refusal-close.js'
import { SentSyncs } from './sent-syncs.js'
import type { SessionHost } from './session-host.js'
import { utf8Length } from './utf8-length.js'

type Phase = 'hello' | 'syncing' | 'ready' | 'closed'

export class AgentSession {
  /** Wall-clock time of the last frame or pong (liveness is real time, not the billing clock). */
  lastHeardMs = Date.now()
  private phase: Phase = 'hello'
  private recorded = false
  private queue: Promise<void> = Promise.resolve()
  private pending = 0
  /** Pushes that arrived before the sync went out; sent right after it. */
  private deferred: SubscriberLimit[][] = []
  /**
   * The subscribers this connection was given, by its sync or a push. Marked inside the
   * transaction that read them, so a move committed after that read is sure to find them here
   * (see AgentHub.limitsChanged).
   */
  private readonly given = new Set<string>()
  /** The syncs sent on this connection, for the agent's `synced` answers (see move-bounds.ts). */
  private readonly sentSyncs = new SentSyncs()
  /** The epoch of this connection's hello: the one its `synced` seqs are in. */
  private epoch = ''
  /** The version this connection's hello named: which limits it can parse (see agent-capabilities.ts). */
  private agentVersion: string | undefined
  private readonly helloTimer: ReturnType<typeof setTimeout>
  private readonly log: Logger

  constructor(
    readonly agentId: string,
    private readonly socket: AgentSocket,
    private readonly host: SessionHost,
  ) {
    this.log = host.logger.child({ agentId })
    const { helloTimeoutMs } = host.limits
    this.helloTimer = setTimeout(() => {
      if (this.phase === 'hello') {
        this.fail(CLOSE.policyViolation, 'hello_required', `no hello within ${helloTimeoutMs} ms`)
      }
    }, helloTimeoutMs)
    socket.heartbeat?.onPong(() => host.heard(this))
  }

  get open(): boolean {
    return this.phase !== 'closed'
  }

  /**
   * Whether this connection's hello is on the books. Until then "last seen" is not written: the
   * hello reads it to find the offline alert it answers with "back" (a hello waiting for its turn
   * to read would otherwise find the time just written instead, and no alert).
   */
  get helloRecorded(): boolean {
    return this.recorded
  }

  /** Whether the agent has said hello (its sync is out or on its way). */
  get greeted(): boolean {
    return this.phase === 'syncing' || this.phase === 'ready'
  }

  /** A frame from the agent: checked for size now, handled after every earlier one. */
  receive(data: unknown): void {
    if (!this.open) return
    this.host.heard(this)
    if (typeof data !== 'string') {
      this.fail(CLOSE.unsupportedData, 'binary_message', 'messages must be JSON in text frames')
      return
    }
    const max = this.host.limits.maxMessageBytes
    if (utf8Length(data, max) > max) {
      this.fail(CLOSE.messageTooBig, 'message_too_large', `a message may be at most ${max} bytes`)
      return
    }
    if (this.pending >= this.host.limits.maxPendingMessages) {
      this.fail(
        CLOSE.policyViolation,
        'too_many_pending',
        `more than ${this.host.limits.maxPendingMessages} messages waiting; wait for acks before sending more`,
      )
      return
    }
    this.pending++
    this.queue = this.queue.then(async () => {
      try {
        if (this.open) await this.handle(data)
      } catch (err) {
        this.refuse(err)
      } finally {
        this.pending--
      }
    })
  }

  /**
   * Whether this limit may be sent on this connection: an agent too old to parse it would drop the
   * whole message it came in. Before hello the version is unknown; a push then waits for the sync,
   * and is checked again when it is sent.
   */
  takes(limit: SubscriberLimit): boolean {
    return this.agentVersion === undefined || agentTakes(this.agentVersion, limit)
  }

  /** Whether this connection was given the subscriber (see `given`). */
  wasGiven(subscriberId: string): boolean {
    return this.given.has(subscriberId)
  }

  /** Notes, inside the transaction that reads its limit, that this connection is given the subscriber. */
  give(subscriberId: string): void {
    this.given.add(subscriberId)
  }

  /**
   * Sends the agent its whole desired state again, after every message received so far: a limits
   * push can only add or change a subscriber, a sync also drops those no longer listed (one moved
   * to another agent). Pushes meanwhile wait for it, as they do for the first sync.
   */
  resync(): void {
    if (!this.open) return
    this.queue = this.queue.then(async () => {
      try {
        // Before hello nothing was given: the hello's own sync is read later.
        if (this.open && this.greeted) await this.sync()
      } catch (err) {
        this.refuse(err)
      }
    })
  }

  /**
   * Sends changed limits; before the sync has gone out they wait for it. A limit of a subscriber
   * this connection is no longer given (a sync read after it left it out) is stale and not sent.
   */
  push(limits: SubscriberLimit[]): void {
    if (!this.open) return
    if (this.phase !== 'ready') {
      this.deferred.push(limits)
      return
    }
    const given = limits.filter((l) => this.given.has(l.subscriberId) && this.takes(l))
    if (given.length > 0) this.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: given })
  }

  /** Ends the connection from the controller's side, telling the agent why. */
  end(code: number, errorCode: string, message: string): void {
    this.fail(code, errorCode, message)
  }

  /** The socket closed (either side); lets go of everything. */
  closed(): void {
    if (this.phase === 'closed') return
    this.phase = 'closed'
    clearTimeout(this.helloTimer)
    this.deferred = []
    this.host.ended(this)
  }

  /** Drops a connection that stopped answering, without a closing handshake. */
  terminate(): void {
    if (this.socket.heartbeat) this.socket.heartbeat.terminate()
    else this.socket.close(CLOSE.goingAway, 'no heartbeat')
    this.closed()
  }

  ping(): void {
    this.socket.heartbeat?.ping()
  }

  private async handle(text: string): Promise<void> {
    const parsed = parseAgentMessage(text)
    if (!parsed.ok) {
      this.fail(CLOSE.policyViolation, 'invalid_message', parsed.error)
      return
    }
    const message = parsed.message
    if (message.type !== 'hello' && !this.greeted) {
      this.fail(
        CLOSE.policyViolation,
        'hello_required',
        `the first message must be hello, not ${message.type}`,
      )
      return
    }
    switch (message.type) {
      case 'hello':
        return this.hello(message)
      case 'usage':
        return this.usage(message)
      case 'state':
        return this.state(message)
      case 'synced':
        return this.synced(message)
      case 'problems':
        await this.host.store.transact((tx) => recordProblems(tx, this.host.env, this.agentId, message))
        this.host.changed({ kind: 'agents' })
        return
      case 'error':
        this.log.warn({ code: message.code, agentMessage: message.message }, 'agent reports an error')
        return
    }
  }

  private async hello(hello: Hello): Promise<void> {
    if (this.greeted) {
      this.fail(CLOSE.policyViolation, 'unexpected_hello', 'hello was already received on this connection')
      return
    }
    if (hello.agentId !== this.agentId) {
      this.fail(
        CLOSE.policyViolation,
        'agent_mismatch',
        `this token belongs to agent ${this.agentId}, not ${hello.agentId}`,
      )
      return
    }
    clearTimeout(this.helloTimer)
    this.phase = 'syncing'
    const { env } = this.host
    this.epoch = hello.epoch
    this.agentVersion = hello.agentVersion
    const read = await this.syncTransaction(async (tx) => {
      await recordHello(tx, env, await requireLiveAgent(tx, this.agentId), hello)
      return {
        limits: await this.readSync(tx),
        mark: await tx.usageMarks.get(usageMarkId(this.agentId, hello.epoch)),
      }
    })
    if (!read) return
    this.recorded = true
    if (!this.open) return
    const { limits, mark } = read
    this.sendSync(limits)
    // An ack lost with the previous connection: the agent learns its high-water mark before replaying.
    if (mark && mark.seq >= 1)
      this.send({ v: PROTOCOL_VERSION, type: 'ack', epoch: hello.epoch, seq: mark.seq })
    if (hello.lastSeq > (mark?.seq ?? 0)) {
      this.log.warn(
        { epoch: hello.epoch, agentLastSeq: hello.lastSeq, storedSeq: mark?.seq ?? 0 },
        'the agent says more was acked than the store holds: was the store restored from an older copy?',
      )
    }
    this.phase = 'ready'
    this.host.changed({ kind: 'agents' })
    for (const limitsPushed of this.deferred.splice(0)) this.push(limitsPushed)
    // After a controller crash an auto top-up may be due that nobody ran: the rule is idempotent.
    this.host.afterBooks(limits.map((l) => l.subscriberId))
  }

  /**
   * The agent's subscribers' limits, for a sync: from now on this connection is given exactly these.
   * The moves away from it that no sync left out before are noted as left out now.
   */
  private async readSync(tx: Tx): Promise<SubscriberLimit[]> {
    const ids = (await tx.subscribers.forAgent(this.agentId)).map((s) => s.id)
    const limits = await limitsFor(tx, this.host.env, ids)
    // Held back from an agent too old to parse them: it stops managing them, as it would if they
    // had moved away, and the operator sees them among its problems.
    const heldBack = new Set(limits.filter((l) => !this.takes(l)).map((l) => l.subscriberId))
    if (heldBack.size > 0) {
      this.log.warn(
        { agentVersion: this.agentVersion, heldBack: heldBack.size },
        'subscribers without an address are not sent to this agent: its version cannot take them',
      )
    }
    this.given.clear()
    for (const id of ids) if (!heldBack.has(id)) this.given.add(id)
    await noteSyncSent(tx, this.agentId, this.host.env.clock.now())
    return limits.filter((l) => !heldBack.has(l.subscriberId))
  }

  /**
   * A transaction that reads the agent's whole state, in its turn among the hub's sync reads. A
   * connection closed while it waited reads nothing (undefined) and notes no sync as sent.
   */
  private syncTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T | undefined> {
    return this.host.syncRead(async () => (this.open ? this.host.store.transact(fn) : undefined))
  }

  /** Sends a sync under a fresh syncId, remembering when it was read and what it listed. */
  private sendSync(limits: SubscriberLimit[]): void {
    const serverTimeMs = this.host.env.clock.now()
    const syncId = this.sentSyncs.add(serverTimeMs, this.given)
    this.send({ v: PROTOCOL_VERSION, type: 'sync', serverTimeMs, subscribers: limits, syncId })
  }

  /**
   * The agent applied one of our syncs: the subscribers it left out are dropped, and what it can
   * still book for them is bounded by its journal's seq then. An unknown syncId (sent before a
   * controller restart, or made up) is ignored: the next sync asks again.
   */
  private async synced(synced: Synced): Promise<void> {
    const sent = this.sentSyncs.take(synced.syncId)
    if (!sent) return
    await this.host.store.transact((tx) =>
      recordSynced(tx, this.agentId, sent, this.epoch, synced.journalSeq),
    )
  }

  /** A sync on a connection past its hello (see resync). */
  private async sync(): Promise<void> {
    this.phase = 'syncing'
    const limits = await this.syncTransaction(async (tx) => {
      await requireLiveAgent(tx, this.agentId)
      return this.readSync(tx)
    })
    if (!limits || !this.open) return
    this.sendSync(limits)
    this.phase = 'ready'
    for (const limitsPushed of this.deferred.splice(0)) this.push(limitsPushed)
  }

  private async usage(usage: Usage): Promise<void> {
    const result = await this.host.usage.ingest(this.agentId, usage)
    this.host.metrics.usageIngested(result.counts)
    this.send({ v: PROTOCOL_VERSION, type: 'ack', epoch: result.ack.epoch, seq: result.ack.seq })
    this.host.changed({ kind: 'subscribers', ids: result.subscriberIds })
    this.host.afterBooks(result.autoTopUpIds)
  }

  private async state(report: State): Promise<void> {
    const { store, env } = this.host
    const recorded = await store.transact((tx) => recordStates(tx, env, this.agentId, report))
    this.host.metrics.limitsEnforced(recorded)
    // Nothing is charged for a state report: auto top-up follows booked usage only.
    this.host.changed({ kind: 'subscribers', ids: recorded.map((s) => s.subscriberId) })
  }

  /** A handler threw: refusals are the agent's to fix, anything else is ours. */
  private refuse(err: unknown): void {
    const close = closeFor(err)
    if (!close) this.log.error({ err }, 'handling an agent message failed')
    const { code, errorCode, message } = close ?? {
      code: CLOSE.internalError,
      errorCode: 'internal_error',
      message: 'internal error; see the controller log',
    }
    this.fail(code, errorCode, message)
  }

  private fail(code: number, errorCode: string, message: string): void {
    if (!this.open) return
    this.send({ v: PROTOCOL_VERSION, type: 'error', code: errorCode, message: message.slice(0, 1000) })
    this.socket.close(code, errorCode)
    this.closed()
  }

  private send(message: ControllerMessage): void {
    try {
      this.socket.send(JSON.stringify(message))
    } catch (err) {
      // The socket went away under us; its close event ends the session.
      this.log.warn({ err }, 'send failed')
    }
  }
}
