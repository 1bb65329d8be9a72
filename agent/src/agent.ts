/**
 * The agent: polls the router's counters, journals every delta before it is sent, enforces caps
 * from its own numbers without waiting for the controller, and syncs when the controller is there.
 */
import { type Logger, silentLogger } from '@capd/log'
import { type ControllerMessage, LoopBreather, PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import PQueue from 'p-queue'
import { remainingBytes, rollPeriod, ruleFor, takeLimit } from './books.js'
import type { LoadedConfig } from './config.js'
import { ControllerLink, type LinkOptions } from './controller-link.js'
import { plainTextWarning } from './controller-url.js'
import type { CounterReading, RouterDriver } from './drivers/driver.js'
import { journalDeltas } from './journal-deltas.js'
import { limitsRefusal } from './limit-check.js'
import { type AgentMetrics, type AgentMetricsView, noAgentMetrics } from './metrics/agent-metrics.js'
import { timed } from './metrics/timed.js'
import { pollDelayMs } from './poll-share.js'
import { PollTimer } from './poll-timer.js'
import { ProblemReport } from './problem-report.js'
import { ReadGivingWay } from './read-giving-way.js'
import type { AgentState } from './state/checkpoint.js'
import type { Journal } from './state/journal.js'
import { openState } from './state/open-state.js'
import { forgetCreated, noteCreated, replay } from './state/replay.js'
import type { StateStore } from './state/state-store.js'
import { stateMessages } from './state-report.js'
import { computeDeltas } from './usage-engine.js'
import { ackAheadWarning, UsageSender } from './usage-sender.js'
import { AGENT_VERSION } from './version.js'

/**
 * How late a poll scheduled for a free window's start or end may run and still be stamped at it:
 * a timer fires a few ms late, and those bytes go with the time before the boundary. Later than
 * this (a stalled process), the reading keeps its own time.
 */
export const BOUNDARY_SLACK_MS = 2000

export interface AgentDeps {
  /** The agent's clock: it stamps every reading and decides when free windows start and end. */
  now?: () => number
  /** The one logger (default: nowhere); the agent logs through a child with its `agentId`. */
  logger?: Logger
  /** Told of polls, applies, limits taken and connections (default: nobody). */
  metrics?: AgentMetrics
  /** The link's timings (tests shorten the backoff); TLS comes from the config. */
  link?: Pick<LinkOptions, 'minBackoffMs' | 'maxBackoffMs' | 'heartbeatMs' | 'healthyAfterMs' | 'random'>
}

export class Agent {
  /** Polls and controller messages, one at a time. */
  private readonly queue = new PQueue({ concurrency: 1 })
  /**
   * Pushed limits, one at a time but beside `queue`: a top-up must not wait for a poll's listing of
   * the whole router. They meet the poll only in `routerTurn`.
   */
  private readonly pushes = new PQueue({ concurrency: 1 })
  /** The poll's readings, which a push stops (see read-giving-way.ts). */
  private readonly reads: ReadGivingWay
  /** Syncs waiting in `queue`: a limits push after one waits behind it, so versions arrive in order. */
  private syncsQueued = 0
  /** Changing the books and making the router match them (and a poll's enforce), one at a time. */
  private readonly routerTurn = new PQueue({ concurrency: 1 })
  /** A poll of 10k subscribers lets the loop turn between its stages, so a push is heard meanwhile. */
  private readonly breather = new LoopBreather()
  /** Checkpoint writes in order (they share one temporary file). */
  private saving: Promise<void> = Promise.resolve()
  private readonly lastDelta = new Map<string, number>()
  private lastReading: CounterReading | null = null
  /** How long the router's last reading took (see pollDelayMs). */
  private lastReadMs: number | undefined
  /** Rules the router could not be given (skipped, the rest enforced), as last told to the controller. */
  private readonly problems = new ProblemReport()
  /** The limit version last reported per subscriber, so a new one is reported once it is enforced. */
  private readonly reportedVersions = new Map<string, number>()
  /** Limits taken so far, and when each subscriber's was last taken (see `poll`). */
  private limitsTaken = 0
  private readonly limitTakenAt = new Map<string, number>()
  private readonly pollTimer: PollTimer
  private readonly link: ControllerLink
  private readonly usage: UsageSender
  private readonly now: () => number
  private readonly log: Logger
  private readonly metrics: AgentMetrics
  /** Said once: the controller booked seqs this journal never reached (see onMessage 'ack'). */
  private warnedAckAhead = false

  private constructor(
    private readonly config: LoadedConfig,
    private readonly driver: RouterDriver,
    private readonly state: AgentState,
    private readonly journal: Journal,
    private readonly store: StateStore,
    deps: AgentDeps,
  ) {
    this.now = deps.now ?? Date.now
    this.log = agentLogger(config, deps)
    this.metrics = deps.metrics ?? noAgentMetrics
    this.link = new ControllerLink(
      config.controllerUrls,
      config.token,
      {
        hello: () => ({
          v: PROTOCOL_VERSION,
          type: 'hello',
          agentId: config.agentId,
          epoch: this.state.epoch,
          lastSeq: this.state.ackedSeq,
          agentVersion: AGENT_VERSION,
          driver: driver.kind,
        }),
        message: (message) => this.received(message),
        connected: (controller) => {
          this.metrics.connected()
          // Whatever this controller or another was sent and did not ack goes again (see restart).
          this.usage.restart()
          this.log.info({ controller }, `capd agent: connected to the controller ${controller}`)
          // Again on every connection, not only at start: each one has just sent the token in clear.
          const insecure = plainTextWarning(controller)
          if (insecure) this.log.warn(`capd agent: WARNING: connected without TLS: ${insecure}`)
        },
        disconnected: (closeCode, closeReason, controller) =>
          this.log.info({ closeCode, closeReason, controller }, 'capd agent: controller connection closed'),
        log: (msg, fields) => this.log.warn({ component: 'link', ...fields }, msg),
      },
      { ...deps.link, ...(config.controllerCa ? { ca: config.controllerCa } : {}) },
    )
    this.usage = new UsageSender(this.link, journal, state)
    // Behind the pushes queued now, not behind every push to come: steady pushes must not starve the poll.
    this.reads = new ReadGivingWay(driver, () => this.pushes.add(async () => {}), this.now)
    this.pollTimer = new PollTimer({
      now: this.now,
      limits: () => [...this.state.books.values()].map((b) => b.limit),
      lastReadAtMs: () => this.lastReading?.atMs,
      poll: (boundaryMs) =>
        this.queue
          .add(() => this.timedPoll(boundaryMs))
          .catch((err) => this.log.warn({ err }, 'capd agent: poll failed')),
      interval: () => this.nextInterval(),
    })
  }

  /** Loads state from `stateDir` (replaying the journal), enforces the last known limits, then connects. */
  static async start(config: LoadedConfig, driver: RouterDriver, deps: AgentDeps = {}): Promise<Agent> {
    const log = agentLogger(config, deps)
    const { state, journal, store } = await openState(config.stateDir, log.child({ component: 'journal' }))
    for (const url of config.controllerUrls) {
      const insecure = plainTextWarning(url)
      if (insecure) log.warn(`capd agent: WARNING: NO TLS: ${insecure}`)
    }
    const agent = new Agent(config, driver, state, journal, store, deps)
    // A router that cannot be reached now is retried by every poll; counting and syncing go on.
    try {
      await driver.start()
      agent.lastReading = await agent.read()
      await agent.enforce()
    } catch (err) {
      log.warn(
        { err, component: 'driver' },
        'capd agent: the router refused the first apply; retrying each poll',
      )
    }
    agent.link.start()
    agent.pollTimer.schedule(0)
    return agent
  }

  get epoch(): string {
    return this.state.epoch
  }

  /** The agent's current view, for tests and status output. */
  snapshot() {
    return {
      epoch: this.state.epoch,
      ackedSeq: this.state.ackedSeq,
      appliedSeq: this.state.appliedSeq,
      unacked: this.journal.size,
      journal: { ...this.journal.disk, lastSeq: this.journal.seq },
      connected: this.link.connected,
      controller: this.link.connectedUrl,
      books: Object.fromEntries(this.state.books),
    }
  }

  /** What the metrics' gauges read (see AgentMetricsView). */
  metricsView(): AgentMetricsView {
    const states = { open: 0, blocked: 0, throttled: 0 }
    for (const book of this.state.books.values()) states[book.applied]++
    return {
      subscribers: this.state.books.size,
      states,
      unackedEntries: this.journal.size,
      journalBytes: this.journal.disk.bytes,
      controllerConnected: this.link.connected,
      controllerUrl: this.link.connectedUrl,
    }
  }

  /** Runs one poll now (tests, and the loop). */
  pollNow(): Promise<void> {
    return this.queue.add(() => this.timedPoll())
  }

  async stop(): Promise<void> {
    this.pollTimer.stop()
    this.link.close()
    await Promise.all([this.queue.onIdle(), this.pushes.onIdle()])
    await this.routerTurn.onIdle()
    await this.saving
    await this.store.close()
    await this.driver.close()
  }

  /**
   * Reads the router's counters, stamped by the agent's clock (the one clock the books and free
   * windows go by). A read for a boundary that began within BOUNDARY_SLACK_MS of it is stamped
   * at the boundary. The driver's reading object is kept (it may cache its listing by identity).
   */
  private async read(boundaryMs?: number): Promise<CounterReading> {
    const { reading, startedAtMs, tookMs } = await this.reads.read(boundaryMs === undefined)
    this.lastReadMs = tookMs
    const late = boundaryMs === undefined ? undefined : startedAtMs - boundaryMs
    // Never before the last reading (a poll run by hand may have read past the edge already).
    const afterLast = boundaryMs !== undefined && boundaryMs > (this.lastReading?.atMs ?? -Infinity)
    if (late !== undefined && late >= 0 && late <= BOUNDARY_SLACK_MS && afterLast) {
      reading.startedAtMs = boundaryMs
      reading.atMs = boundaryMs!
    } else {
      reading.startedAtMs = startedAtMs
      reading.atMs = this.now()
    }
    return reading
  }

  /**
   * Faster while someone would reach the cap within a few polls at their current rate (a router
   * without kernel quotas enforces the cap only at a poll). Otherwise the interval, kept to the
   * configured share of the agent's time by how long the router's reading took.
   */
  private nextInterval(): number {
    for (const [id, book] of this.state.books) {
      const recent = this.lastDelta.get(id) ?? 0
      if (book.applied === 'open' && recent > 0 && remainingBytes(book) <= recent * 4) {
        return this.config.fastPollIntervalMs
      }
    }
    return pollDelayMs(this.config.pollIntervalMs, this.lastReadMs, this.config.pollShare)
  }

  private timedPoll(boundaryMs?: number): Promise<void> {
    return timed(
      () => this.poll(boundaryMs),
      (outcome, seconds) => this.metrics.polled(outcome, seconds),
    )
  }

  private async poll(boundaryMs?: number): Promise<void> {
    const takenBefore = this.limitsTaken
    const reading = await this.read(boundaryMs)
    const maxBytesPerMs = (this.config.linkSpeedMbps * 1e6) / 8 / 1000
    const { deltas, rebased, anomalies } = computeDeltas(this.state.baselines, reading, {
      maxBytesPerMs,
      created: this.state.created,
    })
    for (const line of anomalies) this.log.warn(`capd agent: counter anomaly: ${line}`)
    // The record of a creation goes with the journalled delta (replay) or the new baseline below.
    for (const delta of deltas) this.sayCreatedTaken(delta.subscriberId, delta.baseline.counterId)
    for (const sample of reading.samples) {
      const book = this.state.books.get(sample.subscriberId)
      // A limit taken while the router was being read may have re-armed the quota after it was
      // listed: that "spent" is stale (it would block a subscriber just topped up); the next poll tells.
      if ((this.limitTakenAt.get(sample.subscriberId) ?? 0) > takenBefore) continue
      if (book && Boolean(book.quotaSpent) !== Boolean(sample.quotaSpent)) {
        this.state.books.set(sample.subscriberId, { ...book, quotaSpent: Boolean(sample.quotaSpent) })
      }
    }
    for (const [id, baseline] of rebased) {
      this.sayCreatedTaken(id, baseline.counterId)
      forgetCreated(this.state, id, baseline.counterId)
      this.state.baselines.set(id, baseline)
    }
    await this.breather.breathe()

    this.lastDelta.clear()
    const fresh = journalDeltas(this.state, deltas, reading.atMs, this.lastDelta)
    // Durable first: only a journalled delta changes what the agent believes or sends.
    replay(this.state, await this.journal.append(fresh))
    this.lastReading = reading
    for (const [id, book] of this.state.books) {
      const rolled = rollPeriod(book, reading.atMs)
      if (rolled !== book) this.state.books.set(id, rolled)
    }
    await this.breather.breathe()
    try {
      // A pushed top-up waiting for the router goes first: this poll's rules would be out of date
      // for it. The poll enforces after it, then without giving way again.
      const whole = await this.routerTurn.add(() => this.enforce(undefined, () => this.routerTurn.size > 0))
      if (!whole) await this.routerTurn.add(() => this.enforce())
    } catch (err) {
      // Usage already journalled is still reported; enforcement is retried next poll.
      this.log.warn({ err, component: 'driver' }, 'capd agent: applying at the router failed')
    }
    await this.compactJournal()
    this.usage.send()
  }

  /** Rewrites the journal once it is mostly acked records; the books are checkpointed first (see Journal.compact). */
  private async compactJournal(): Promise<void> {
    if (!this.journal.wantsCompaction) return
    await this.checkpoint()
    await this.journal.compact()
  }

  /** Writes the state now (after any write already asked for): the one way the agent checkpoints. */
  private checkpoint(): Promise<void> {
    const done = this.saving.then(() => this.store.save())
    this.saving = done.catch(() => {})
    return done
  }

  /**
   * Makes the router match the books, and reports every state that changed. `only`: just these
   * subscribers' books changed since the last enforce (a push), so the driver may touch just them.
   * Runs in `routerTurn` (or before anything else runs, at start). `giveWay`: see RouterDriver.apply;
   * false when the driver gave way and nothing was enforced.
   */
  private async enforce(only?: ReadonlySet<string>, giveWay?: () => boolean): Promise<boolean> {
    const observe = this.config.mode === 'observe'
    const reading = this.lastReading ?? { atMs: this.now(), bootId: '', samples: [] }
    // Free windows go by the reading when it was just taken (a boundary poll), else by now.
    const atMs = Math.max(reading.atMs, this.now())
    const rules = [...this.state.books].map(([id, book]) => ruleFor(id, book, observe, atMs))
    // A push's few subscribers go to the router at once; a whole apply lets the loop turn first.
    if (!only) await this.breather.breathe()
    const report = await timed(
      () => this.driver.apply(rules, reading, (ids) => this.recordCreation(ids), only, giveWay),
      (outcome, seconds) => this.metrics.applied(outcome, seconds),
      (done) => !done.gaveWay,
    )
    if (report.gaveWay) return false
    const { changed: problemsChanged, added } = this.problems.update(report.skipped)
    for (const problem of added) {
      this.log.warn(
        { subscriberId: problem.subscriberId },
        `capd agent: skipped at the router: ${problem.message}`,
      )
    }
    if (problemsChanged) this.link.send(this.problems.message(this.now()))
    const skipped = this.problems.skippedIds()
    const changed: string[] = []
    for (const rule of rules) {
      // A push enforced its own subscribers only: the others' books may be ahead of the router (a
      // poll that gave way to it has not applied them yet), so their state is not news yet.
      if (only && !only.has(rule.subscriberId)) continue
      const book = this.state.books.get(rule.subscriberId)!
      if (skipped.has(rule.subscriberId)) continue
      const stateChanged = book.applied !== rule.state
      if (stateChanged) this.state.books.set(rule.subscriberId, { ...book, applied: rule.state })
      // A new limit version enforced is news even when the state stays (a top-up while online):
      // the controller tells the customer it applies only once the agent says so.
      if (stateChanged || this.reportedVersions.get(rule.subscriberId) !== book.limit.limitVersion) {
        changed.push(rule.subscriberId)
      }
    }
    this.reportStates(changed)
    return true
  }

  /**
   * Before the router creates counters (at zero): durably, so that an agent killed before it books
   * their first bytes counts them from zero after a restart instead of taking their value then as
   * the starting point.
   */
  private async recordCreation(subscriberIds: readonly string[]): Promise<void> {
    noteCreated(this.state, subscriberIds, this.now())
    await this.checkpoint()
  }

  private sayCreatedTaken(subscriberId: string, counterId: string): void {
    const created = this.state.created.get(subscriberId)
    if (created && created.replaces !== counterId) {
      this.log.info(
        { subscriberId, counterId },
        `capd agent: counting ${subscriberId} on the counters it created (${counterId}) from zero`,
      )
    }
  }

  /** Reports what the router now applies for these subscribers (see stateMessages). */
  private reportStates(subscriberIds: readonly string[]): void {
    for (const message of stateMessages(this.state.books, subscriberIds, this.now())) {
      for (const s of message.type === 'state' ? message.subscribers : []) {
        this.reportedVersions.set(s.subscriberId, s.limitVersion)
      }
      this.link.send(message)
    }
    for (const id of this.reportedVersions.keys())
      if (!this.state.books.has(id)) this.reportedVersions.delete(id)
  }

  /** A limits push goes beside the poll (see `pushes`) unless a sync is still waiting; the rest in turn. */
  private received(message: ControllerMessage): void {
    if (message.type === 'limits' && this.syncsQueued === 0) {
      this.reads.pushWaiting()
      void this.pushes.add(() => this.onMessage(message)).catch((e) => this.fail(e))
      return
    }
    if (message.type === 'sync') this.syncsQueued++
    void this.queue
      .add(async () => {
        try {
          await this.onMessage(message)
        } finally {
          if (message.type === 'sync') this.syncsQueued--
        }
      })
      .catch((e) => this.fail(e))
  }

  private async onMessage(message: ControllerMessage): Promise<void> {
    switch (message.type) {
      case 'sync':
        if (this.acceptable('sync', message.subscribers)) {
          await this.takeLimits(message.subscribers, true)
          if (message.syncId !== undefined) this.usage.answerSync(message.syncId)
        }
        this.usage.restart()
        this.reportStates([...this.state.books.keys()])
        // The controller forgets an agent's problems when it connects; an agent with none sends nothing.
        if (!this.problems.empty) this.link.send(this.problems.message(this.now()))
        this.usage.send()
        return
      case 'limits':
        if (this.acceptable('limits', message.subscribers)) await this.takeLimits(message.subscribers, false)
        return
      case 'ack':
        if (message.epoch !== this.state.epoch || message.seq <= this.state.ackedSeq) return
        if (message.seq > this.journal.seq) this.warnAckAhead(message.seq)
        this.state.ackedSeq = Math.min(message.seq, this.journal.seq)
        this.usage.acked()
        this.journal.ack(this.state.ackedSeq)
        await this.checkpoint()
        await this.compactJournal()
        this.usage.send()
        return
      case 'error':
        this.log.warn(
          { code: message.code, controllerMessage: message.message },
          'the controller reports an error',
        )
        return
    }
  }

  /**
   * Whether limits from the controller are sane enough to enforce (see limit-check.ts). If not, the
   * whole message is refused, logged and reported back: the agent keeps its last good limits.
   */
  private acceptable(what: 'sync' | 'limits', limits: readonly SubscriberLimit[]): boolean {
    const message = limitsRefusal(what, limits, this.now())
    if (!message) return true
    this.log.warn(`capd agent: ${message}`)
    this.link.send({
      v: PROTOCOL_VERSION,
      type: 'error',
      code: 'limits_refused',
      message: message.slice(0, 1000),
    })
    return false
  }

  /** A sync is the full desired state (anything missing is dropped); a limits push is a partial one. */
  private async takeLimits(limits: readonly SubscriberLimit[], full: boolean): Promise<void> {
    await this.routerTurn.add(async () => {
      if (full) {
        const wanted = new Set(limits.map((l) => l.subscriberId))
        for (const id of this.state.books.keys()) {
          if (wanted.has(id)) continue
          // The driver removes its counters too; if the subscriber comes back they start from zero.
          this.state.books.delete(id)
          this.limitTakenAt.delete(id)
          this.state.baselines.delete(id)
          this.state.created.delete(id)
        }
      }
      for (const limit of limits) {
        const current = this.state.books.get(limit.subscriberId)
        // A sync may carry an older version (a controller restored from backup): it is still the truth.
        const next = takeLimit(
          full ? current && { ...current, limit: { ...current.limit, limitVersion: 0 } } : current,
          limit,
        )
        if (next) this.state.books.set(limit.subscriberId, next)
        this.limitTakenAt.set(limit.subscriberId, ++this.limitsTaken)
      }
      // The router first, so a top-up restores access without waiting for the disk; a crash before
      // the checkpoint only means the older limits until the controller's next sync. A push changed
      // only its own subscribers' books, so only they are planned.
      await this.enforce(full ? undefined : new Set(limits.map((l) => l.subscriberId)))
    })
    this.metrics.limitsTaken(limits.length)
    this.pollTimer.limitsChanged()
    await this.checkpoint()
  }

  /** Said once: the state dir is older than what the agent once sent (see ackAheadWarning). */
  private warnAckAhead(seq: number): void {
    if (this.warnedAckAhead) return
    this.warnedAckAhead = true
    this.log.warn(ackAheadWarning(seq, this.state.epoch, this.journal.seq, this.config.stateDir))
  }

  private fail(err: unknown): void {
    this.log.error({ err }, 'capd agent: handling a controller message failed')
  }
}

/** The agent's logger: a child of the one passed down, with the agent's id on every line. */
function agentLogger(config: LoadedConfig, deps: AgentDeps): Logger {
  return (deps.logger ?? silentLogger).child({ agentId: config.agentId })
}
