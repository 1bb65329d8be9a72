/**
 * Books the usage journal (see domain/usage-fold.ts): right after this controller journals a
 * batch, and every FOLD_INTERVAL_MS for batches other controllers journalled, or left behind when
 * they stopped. A store without a journal (the embedded one books each batch as it takes it)
 * leaves it idle.
 *
 * Taking batches comes first: while the lane has batches waiting, a fold waits for it, up to
 * MAX_YIELD_MS since the last. An ack is what lets an agent drop its entries; a fold that waited
 * books more polls of the same subscribers at once. 100 agents sending 100,000 subscribers' usage
 * back to back (bench/ingest-scale.ts) were acked at 105k entries/s with the fold yielding, 65–71k
 * with a fold between every two lane transactions (two cores shared with PostgreSQL).
 *
 * One controller folds at a time (a job lock, held while the controller runs and taken again every
 * LOCK_RENEW_MS; one found taken is asked for again no sooner than FOLD_INTERVAL_MS):
 * two folding at once would mostly read the same batches, and all but one would read again.
 * Correctness does not rest on the lock: a fold that finds its batches taken fails whole.
 *
 * A batch the books refuse (see setAside) is booked alone and, failing three times, kept as usage
 * not booked: it must not hold up every batch behind it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@capd/log'
import type { DomainEnv } from '../domain/env.js'
import { Refusal } from '../domain/refusal.js'
import { type Fold, foldUsage, JournalRaced, setAside } from '../domain/usage-fold.js'
import type { JournalledUsage, Store } from '../store/store.js'

/** How often a controller looks for journalled usage nobody told it of. */
export const FOLD_INTERVAL_MS = 1000
/**
 * Entries and batches per fold transaction at most (and at least one batch): several polls of one
 * agent's subscribers, each subscriber's row read and written once for all of them. What a fold
 * saves is per poll of a subscriber, so past some tens of polls a larger fold saves nothing more
 * and, under a burst, only takes the CPU from acks. 100 agents with 1,000 subscribers each
 * (bench/ingest-scale.ts, 100k): books caught up 31 s after a 15 s burst with folds of 40,000
 * entries, 42–55 s with 10,000, acks within the noise (122–146k/s); 100 subscribers each (10k):
 * folds of 40,000 entries (400 polls) took acks from 142–149k/s down to 114–116k/s, for books 4–6 s
 * sooner, so a fold also stops at 100 batches.
 */
export const FOLD_ENTRIES = 40_000
export const FOLD_BATCHES = 100
/** Longest a fold waits for a busy lane. */
export const MAX_YIELD_MS = 1000
/**
 * The fold lock is let go and taken again after this long held: a lock lost with its connection
 * unseen would otherwise leave two controllers folding side by side (still exactly once, but
 * reading twice) for good.
 */
const LOCK_RENEW_MS = 30_000
/** A batch whose fold failed alone this many times in a row is set aside (see setAside). */
const MAX_BATCH_FAILURES = 3

export interface UsageFolderOptions {
  store: Store
  env: DomainEnv
  logger: Logger
  /** The lane taking batches, which a fold lets go first. */
  lane?: { readonly busy: boolean; whenIdle(): Promise<void> }
  /** Told of each fold once committed. */
  folded: (fold: Fold) => void
}

export class UsageFolder {
  private running: Promise<void> | undefined
  private again = false
  private timer: ReturnType<typeof setInterval> | undefined
  private release: (() => Promise<void>) | undefined
  private lastFoldMs = 0
  private stopped = false
  private heldSinceMs = 0
  /** When the lock was last found taken: asked again no sooner than FOLD_INTERVAL_MS after. */
  private refusedAtMs = Number.NEGATIVE_INFINITY
  /** Failed folds of a batch alone, by its place in the journal. */
  private readonly failures = new Map<string, number>()

  constructor(private readonly options: UsageFolderOptions) {}

  /** Books what a stopped controller left journalled, then looks again every FOLD_INTERVAL_MS. */
  start(): void {
    if (!this.options.store.journalsUsage || this.stopped) return
    this.kick()
    this.timer ??= setInterval(() => this.kick(), FOLD_INTERVAL_MS)
    this.timer.unref?.()
  }

  /** Stops folding, once the fold under way ends, and lets the fold lock go. */
  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
    await this.letGo()
  }

  /** Books what is journalled now, or once the fold under way ends. */
  kick(): void {
    if (!this.options.store.journalsUsage || this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.run().finally(() => {
      this.running = undefined
      if (this.again) {
        this.again = false
        this.kick()
      }
    })
  }

  /**
   * Resolves once what was journalled before the call is booked here, or found to be another
   * controller's to book (it holds the fold lock).
   */
  async settle(): Promise<void> {
    this.kick()
    while (this.running) await this.running
  }

  private async run(): Promise<void> {
    const { store, logger } = this.options
    try {
      if (!(await this.hold())) return
      while (!this.stopped) {
        await this.yieldToLane()
        const rows = await store.peek(
          async (tx) => (await tx.usageJournal?.pending(FOLD_ENTRIES, FOLD_BATCHES)) ?? [],
        )
        if (rows.length === 0) break
        await this.fold(rows)
        this.lastFoldMs = Date.now()
      }
    } catch (err) {
      // The database may be away: the batches stay journalled for the next turn.
      logger.error({ err }, 'booking journalled usage failed')
      await this.letGo()
    }
  }

  /**
   * Books the batches in one transaction; if the books refuse that, each alone, so one they refuse
   * holds up no other. One that fails alone MAX_BATCH_FAILURES times in a row (not the database:
   * the books) is set aside.
   */
  private async fold(rows: readonly JournalledUsage[]): Promise<void> {
    const { store, env, logger } = this.options
    try {
      this.options.folded(await store.transact((tx) => foldUsage(tx, env, rows)))
      for (const row of rows) this.failures.delete(row.ord)
      return
    } catch (err) {
      if (err instanceof JournalRaced) return
      // The database failed (a code of its own: SQLSTATE, or the socket's): the next turn.
      if (!(err instanceof Refusal) && typeof (err as { code?: unknown }).code === 'string') throw err
      if (rows.length === 1) {
        const row = rows[0]!
        const failures = (this.failures.get(row.ord) ?? 0) + 1
        this.failures.set(row.ord, failures)
        if (failures < MAX_BATCH_FAILURES) throw err
        logger.error(
          { err, agentId: row.agentId, epoch: row.epoch, firstSeq: row.entries[0]?.seq },
          'a journalled usage batch cannot be booked; kept as usage not booked',
        )
        await store
          .transact((tx) => setAside(tx, env, row))
          .catch((e: unknown) => {
            if (!(e instanceof JournalRaced)) throw e
          })
        this.failures.delete(row.ord)
        return
      }
    }
    for (const row of rows) await this.fold([row])
  }

  /** Whether this controller holds the fold lock (taking it if free). */
  private async hold(): Promise<boolean> {
    const { store } = this.options
    if (!store.tryJobLock) return true
    if (this.release && Date.now() - this.heldSinceMs < LOCK_RENEW_MS) return true
    await this.letGo()
    if (Date.now() - this.refusedAtMs < FOLD_INTERVAL_MS) return false
    this.release = await store.tryJobLock('usage-fold')
    if (!this.release) {
      this.refusedAtMs = Date.now()
      return false
    }
    this.heldSinceMs = Date.now()
    return true
  }

  private async letGo(): Promise<void> {
    const release = this.release
    this.release = undefined
    await release?.()
  }

  private async yieldToLane(): Promise<void> {
    const lane = this.options.lane
    if (!lane?.busy) return
    const left = this.lastFoldMs + MAX_YIELD_MS - Date.now()
    if (left <= 0) return
    const timeout = new AbortController()
    await Promise.race([lane.whenIdle(), sleep(left, undefined, { signal: timeout.signal }).catch(() => {})])
    timeout.abort()
  }
}
