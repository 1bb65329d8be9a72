/**
 * The agents' WebSocket hub: at most one live session per agent (a newer connection replaces the
 * older), limit pushes to connected agents, heartbeats, and "last seen". Runtime-neutral: sockets
 * arrive through AgentSocket; the Node glue is in server.ts.
 */

import type { Logger } from '@capd/log'
import { CLOSE, type SubscriberLimit } from '@capd/protocol'
import PQueue from 'p-queue'
import type { ApiDeps } from '../api/app-env.js'
import { LAST_SEEN_WRITE_INTERVAL_MS, touchAgent } from '../domain/agents.js'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import type { DomainEnv } from '../domain/env.js'
import { limitsFor, readLimitInputsAhead } from '../domain/limits.js'
import type { Fold } from '../domain/usage-fold.js'
import { type Change, ChangeFeed } from '../live/change-feed.js'
import { type ControllerMetrics, noMetrics } from '../metrics/controller-metrics.js'
import type { Store } from '../store/store.js'
import { AgentSession } from './agent-session.js'
import type { AgentSocket } from './agent-socket.js'
import type { SessionHost, SessionLimits } from './session-host.js'
import { SharedPresence } from './shared-presence.js'
import { UsageFolder } from './usage-folder.js'
import { UsageLane } from './usage-lane.js'

export const MAX_AGENT_MESSAGE_BYTES = 1024 * 1024
/** Sync reads run at once: well under the PostgreSQL pool (10), so usage and the API keep theirs. */
const SYNC_READS_AT_ONCE = 3

export interface AgentHubOptions {
  store: Store
  env: DomainEnv
  /** Where the hub logs (as `component: hub`). */
  logger: Logger
  maxMessageBytes?: number
  maxPendingMessages?: number
  helloTimeoutMs?: number
  /** How often connections are pinged and checked. */
  heartbeatIntervalMs?: number
  /** A connection silent (no frame, no pong) for longer is dropped. */
  silentTimeoutMs?: number
  /** Where connections, usage, states and pushes are announced to live pages. */
  changes?: ChangeFeed
  /** Told of usage booked, limits pushed and reported enforced. */
  metrics?: ControllerMetrics
  /** How often this controller renews its agents' presence in a shared store (default 5 s). */
  presenceIntervalMs?: number
}

export class AgentHub implements SessionHost {
  readonly store: Store
  readonly env: DomainEnv
  readonly limits: SessionLimits
  readonly changes: ChangeFeed
  readonly metrics: ControllerMetrics
  readonly usage: UsageLane
  /** Books the usage the lane journalled (a store with a journal). */
  private readonly folder: UsageFolder
  /** Whole-state reads for syncs, a few at a time (see SessionHost.syncRead). */
  private readonly syncReads = new PQueue({ concurrency: SYNC_READS_AT_ONCE })
  private readonly sessions = new Map<string, AgentSession>()
  /** Billing-clock time "last seen" was last written per agent, so heartbeats do not write each time. */
  private readonly seenWrittenAtMs = new Map<string, number>()
  private readonly heartbeatIntervalMs: number
  private readonly silentTimeoutMs: number
  readonly logger: Logger
  private sweepTimer: ReturnType<typeof setInterval> | undefined
  private closing = false
  /** Follow-up work not tied to a reply (auto top-up, pushes, last seen), for drain(). */
  private readonly inFlight = new Set<Promise<unknown>>()
  /** Connections of this store's other controllers (nothing to share on the embedded store). */
  private readonly presence: SharedPresence

  constructor(options: AgentHubOptions) {
    this.store = options.store
    this.changes = options.changes ?? new ChangeFeed()
    this.metrics = options.metrics ?? noMetrics
    this.env = options.env
    this.logger = options.logger.child({ component: 'hub' })
    this.usage = new UsageLane(this.store, this.env, () => this.folder.kick())
    this.folder = new UsageFolder({
      store: this.store,
      env: this.env,
      logger: this.logger,
      lane: this.usage,
      folded: (fold) => this.folded(fold),
    })
    this.limits = {
      maxMessageBytes: options.maxMessageBytes ?? MAX_AGENT_MESSAGE_BYTES,
      maxPendingMessages: options.maxPendingMessages ?? 64,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    }
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000
    this.silentTimeoutMs = options.silentTimeoutMs ?? 30_000
    this.presence = new SharedPresence({
      presence: options.store.agentPresence,
      logger: this.logger,
      intervalMs: options.presenceIntervalMs ?? 5000,
      replaced: (agentId) =>
        this.sessions
          .get(agentId)
          ?.end(
            CLOSE.replaced,
            'replaced',
            'a newer connection of this agent took over on another controller',
          ),
      changed: () => this.changes.publish({ kind: 'agents' }),
    })
    this.folder.start()
  }

  /** An authenticated connection of `agentId`: it replaces the agent's older one, if any. */
  accept(agentId: string, socket: AgentSocket): AgentSession {
    const session = new AgentSession(agentId, socket, this)
    if (this.closing) {
      session.end(CLOSE.goingAway, 'going_away', 'the controller is stopping; reconnect later')
      return session
    }
    const older = this.sessions.get(agentId)
    this.sessions.set(agentId, session)
    older?.end(CLOSE.replaced, 'replaced', 'a newer connection of this agent took over')
    this.track(this.presence.claimed(agentId))
    this.startSweeping()
    return session
  }

  /** Connected here, or through another controller on the same store (as of its last renewal). */
  isConnected(agentId: string): boolean {
    return this.sessions.has(agentId) || this.presence.has(agentId)
  }

  /** As isConnected, asking the shared store now: for decisions such as an offline alert. */
  isConnectedNow(agentId: string): Promise<boolean> {
    return this.sessions.has(agentId) ? Promise.resolve(true) : this.presence.hasNow(agentId)
  }

  /** Renews this controller's presence rows and re-reads the others' (tests; it also runs on a timer). */
  renewPresence(): Promise<void> {
    return this.presence.tick()
  }

  /** Agents with a live connection now. */
  get connectedCount(): number {
    return this.sessions.size
  }

  /** The operator API's hooks into the hub: connection state, pushes after commits, revocation. */
  apiHooks(): Pick<ApiDeps, 'isAgentConnected' | 'limitsChanged' | 'agentRevoked' | 'changes'> {
    return {
      changes: this.changes,
      isAgentConnected: (agentId) => this.isConnected(agentId),
      limitsChanged: (subscriberIds, withoutAutoTopUp) =>
        this.track(this.limitsChanged(subscriberIds, withoutAutoTopUp)),
      agentRevoked: (agentId) => this.revoked(agentId),
    }
  }

  /**
   * Pushes the current limits of these subscribers to their agents, if connected. Read in a
   * transaction of its own (so only durable limits leave the controller), after the commit that
   * changed them; never rejects. A connected agent that was given one of them but no longer
   * enforces it (the subscriber moved to another agent) gets a new sync, which drops it: a push
   * can only add or change. `withoutAutoTopUp`: those the commit showed to have no auto top-up on.
   */
  async limitsChanged(
    subscriberIds: readonly string[],
    withoutAutoTopUp: readonly string[] = [],
  ): Promise<void> {
    const committedAtMs = performance.now()
    this.changes.publish({ kind: 'subscribers', ids: subscriberIds })
    // A limit that fell (a reversal, a resume, a plan change) can leave a subscriber at its auto
    // top-up trigger, blocked and so sending no usage that would run the rule: it runs after every
    // commit that changed limits. What it tops up commits again; the pass after that writes nothing.
    // Those without auto top-up are left out: a pass for them would only read, on every controller.
    const skip = new Set(withoutAutoTopUp)
    const rule = subscriberIds.filter((id) => !skip.has(id))
    if (rule.length > 0) this.afterBooks(rule)
    if (subscriberIds.length === 0 || this.sessions.size === 0) return
    try {
      const { byAgent, left } = await this.store.transact(async (tx) => {
        const found = new Map<AgentSession, SubscriberLimit[]>()
        const stale = new Set<AgentSession>()
        await readLimitInputsAhead(tx, subscriberIds)
        for (const id of new Set(subscriberIds)) {
          const row = await tx.subscribers.get(id)
          // A deleted subscriber is on no agent: the one that had it is re-synced without it.
          const sub = row?.deletedAtMs === undefined ? row : undefined
          for (const session of this.sessions.values()) {
            if (session.agentId !== sub?.agentId && session.wasGiven(id)) stale.add(session)
          }
          const session = sub && this.sessions.get(sub.agentId)
          if (!session) continue
          const limit = await limitsFor(tx, this.env, [id])
          // One its agent is too old to take (its address was just removed) must leave that agent
          // the way a move does: a sync without it, never a push the agent would drop whole.
          if (!limit.every((l) => session.takes(l))) {
            if (session.wasGiven(id)) stale.add(session)
            continue
          }
          session.give(id)
          const limits = found.get(session) ?? []
          limits.push(...limit)
          found.set(session, limits)
        }
        return { byAgent: found, left: stale }
      })
      for (const session of left) session.resync()
      for (const [session, limits] of byAgent) {
        session.push(limits)
        this.metrics.limitsPushed(limits, committedAtMs)
      }
    } catch (err) {
      this.logger.error({ err }, 'pushing limits failed')
    }
  }

  /** Closes a revoked agent's connection. */
  revoked(agentId: string): void {
    this.changes.publish({ kind: 'agents' })
    this.sessions.get(agentId)?.end(CLOSE.revoked, 'agent_revoked', 'this agent was revoked')
  }

  /** Resolves once follow-up work started so far (and what it started) has finished. */
  async drain(): Promise<void> {
    await this.folder.settle()
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /** Closes every connection (1001) and stops the heartbeat. */
  close(): void {
    this.closing = true
    this.presence.stop()
    this.track(this.folder.stop())
    clearInterval(this.sweepTimer)
    this.sweepTimer = undefined
    for (const session of [...this.sessions.values()]) {
      session.end(CLOSE.goingAway, 'going_away', 'the controller is stopping; reconnect later')
    }
  }

  heard(session: AgentSession): void {
    session.lastHeardMs = Date.now()
    if (!session.helloRecorded) return
    const nowMs = this.env.clock.now()
    const writtenAtMs = this.seenWrittenAtMs.get(session.agentId)
    if (writtenAtMs !== undefined && nowMs - writtenAtMs < LAST_SEEN_WRITE_INTERVAL_MS) return
    this.seenWrittenAtMs.set(session.agentId, nowMs)
    this.track(
      this.store
        .transact(async (tx) => {
          const agent = await tx.agents.get(session.agentId)
          if (agent) await touchAgent(tx, this.env, agent)
        })
        .catch((err: Error) => this.logger.error({ err }, 'recording last seen failed')),
    )
  }

  changed(change: Change): void {
    this.changes.publish(change)
  }

  ended(session: AgentSession): void {
    if (this.sessions.get(session.agentId) === session) {
      this.sessions.delete(session.agentId)
      this.track(this.presence.released(session.agentId))
      this.changes.publish({ kind: 'agents' })
    }
    if (this.sessions.size === 0) {
      clearInterval(this.sweepTimer)
      this.sweepTimer = undefined
    }
  }

  syncRead<T>(read: () => Promise<T>): Promise<T> {
    return this.syncReads.add(read)
  }

  /** Journalled usage booked: told as a batch booked at once is (see AgentSession.usage). */
  private folded(fold: Fold): void {
    this.metrics.usageIngested({ bytes: 0, booked: fold.booked, refused: fold.refused, duplicate: 0 })
    this.changed({ kind: 'subscribers', ids: fold.subscriberIds })
    if (fold.autoTopUpIds.length > 0) this.afterBooks(fold.autoTopUpIds)
  }

  afterBooks(subscriberIds: readonly string[]): void {
    this.track(
      // What it tops up is pushed as every commit's changes are (see createApp).
      autoTopUpPass(this.store, this.env, subscriberIds).catch((err: Error) =>
        this.logger.error({ err }, 'auto top-up failed'),
      ),
    )
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work)
    void work.finally(() => this.inFlight.delete(work))
  }

  private startSweeping(): void {
    if (this.sweepTimer) return
    this.sweepTimer = setInterval(() => this.sweep(), this.heartbeatIntervalMs)
    this.sweepTimer.unref?.()
  }

  private sweep(): void {
    const now = Date.now()
    for (const session of [...this.sessions.values()]) {
      if (now - session.lastHeardMs > this.silentTimeoutMs) {
        this.logger.warn(
          { agentId: session.agentId, silentMs: now - session.lastHeardMs },
          'agent silent; dropping it',
        )
        session.terminate()
      } else {
        session.ping()
      }
    }
  }
}
