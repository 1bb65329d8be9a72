/**
 * The controller's store in PostgreSQL, for ISPs that outgrow one box: several controllers may
 * share the database. Every transaction runs SERIALIZABLE and is retried whole on a serialization
 * failure or deadlock (40001, 40P01).
 *
 * Why SERIALIZABLE and not row locks: the domain reads and then decides (a balance is enough, an
 * idempotency key is free, a usage mark is below the batch), over many tables and through reads by
 * index as well as by id. Locking every row read (FOR UPDATE) would have to be threaded through
 * every read, and it cannot lock a row that is not there yet (a free key, a new mark); SSI catches
 * all of those, including the absent ones, with no change to the domain. The price is a retry of
 * the whole function, which is why `fn` must have no effect outside `tx` (see the report).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { type Commit, CommitListeners } from '../commit-notes.js'
import type { Data } from '../data.js'
import type { Store, StoreHealth, Tx } from '../store.js'
import { CommitListener } from './commit-listener.js'
import { CHANNEL, commitPayloads } from './commit-notify.js'
import { dumpData, loadData } from './dump-load.js'
import { tryAdvisoryLock } from './job-lock.js'
import { PgAgentPresence } from './pg-agent-presence.js'
import type { Query } from './pg-table.js'
import { buildPgTx } from './pg-tx.js'

/** A transaction given up after this many serialization failures in a row. */
const MAX_ATTEMPTS = 30
const RETRYABLE = new Set(['40001', '40P01'])
const PING_MS = 2000

export interface PgStoreOptions {
  url: string
  /** Pool size (default 10). */
  max?: number
  warn?: (message: string) => void
  /** An agent's presence row not renewed for this long counts as offline (default 20 s). */
  presenceStaleMs?: number
}

export class PgStore implements Store {
  readonly origin = randomUUID()
  private readonly listeners = new CommitListeners()
  private readonly commitListener: CommitListener
  private closed = false
  private reachable = true
  private readonly commitsStarted = new Set<number>()
  private readonly ping: ReturnType<typeof setInterval>
  /** Serialization failures retried, for tests and metrics. */
  retries = 0
  readonly usageEntriesPerTransaction = 5_000
  readonly journalsUsage = true
  readonly agentPresence: PgAgentPresence

  constructor(
    readonly pool: pg.Pool,
    private readonly options: PgStoreOptions,
  ) {
    // An idle client that errors (the server restarted) must not crash the process.
    pool.on('error', () => {
      this.reachable = false
    })
    this.commitListener = new CommitListener({
      url: options.url,
      origin: this.origin,
      announce: (commit) => this.listeners.announce(commit),
      liveSubscriberIds: () => this.liveSubscriberIds(),
      warn: (m) => options.warn?.(m),
    })
    this.agentPresence = new PgAgentPresence(pool, options.presenceStaleMs ?? 20_000)
    this.ping = setInterval(() => void this.checkReachable(), PING_MS)
    this.ping.unref()
  }

  async start(): Promise<void> {
    await this.commitListener.start()
  }

  async transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new Error('store is closed')
      const client = await this.connect()
      let failedCode: string | undefined
      const query: Query = async (sql, params) => {
        try {
          return (await client.query(sql, params)).rows
        } catch (err) {
          failedCode ??= (err as { code?: string }).code
          throw err
        }
      }
      let started: number | undefined
      // A connection that failed (not a statement the server refused) is not given back to the pool.
      let broken: Error | undefined
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE')
        const t = buildPgTx(query, false)
        const result = await fn(t.tx)
        await t.flush()
        const commit = t.notes.empty ? undefined : t.notes.commit()
        if (commit) {
          for (const payload of commitPayloads(this.origin, commit))
            await query('SELECT pg_notify($1, $2)', [CHANNEL, payload])
        }
        started = performance.now()
        this.commitsStarted.add(started)
        await query('COMMIT')
        if (commit) this.listeners.announce(commit)
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e
        })
        // Whatever `fn` made of it, a transaction that met a serialization failure is run again.
        const code = failedCode ?? (err as { code?: string }).code
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          this.retries++
          await sleep(Math.random() * Math.min(2 ** attempt, 100))
          continue
        }
        throw err
      } finally {
        if (started !== undefined) this.commitsStarted.delete(started)
        client.release(broken)
      }
    }
  }

  /** A snapshot read that waits for no writer (REPEATABLE READ, READ ONLY); a write is refused. */
  async peek<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed')
    const client = await this.connect()
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const query: Query = async (sql, params) => (await client.query(sql, params)).rows
      return await fn(buildPgTx(query, true).tx)
    } finally {
      let broken: Error | undefined
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e
      })
      client.release(broken)
    }
  }

  /** Hands on this store's commits and, through NOTIFY, those of every other store on the database. */
  onCommit(listener: (commit: Commit) => void): () => void {
    return this.listeners.add(listener)
  }

  health(): StoreHealth {
    if (this.closed) return { state: 'closed', writingMs: 0 }
    let oldest = Number.POSITIVE_INFINITY
    for (const at of this.commitsStarted) oldest = Math.min(oldest, at)
    const writingMs = Number.isFinite(oldest) ? performance.now() - oldest : 0
    return { state: this.reachable ? 'open' : 'failed', writingMs }
  }

  /** Runs a periodic job's turn on one controller at a time: undefined when another holds `name`. */
  tryJobLock(name: string): Promise<(() => Promise<void>) | undefined> {
    return tryAdvisoryLock(this.options.url, name)
  }

  dumpData(): Promise<Data> {
    return dumpData(this.pool)
  }

  loadData(data: Data): Promise<void> {
    return loadData(this.pool, data)
  }

  /** Drops the LISTEN connection as a network failure would (tests). */
  dropListenConnection(): void {
    this.commitListener.dropConnection()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.ping)
    await this.commitListener.close()
    await this.pool.end()
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      const client = await this.pool.connect()
      this.reachable = true
      return client
    } catch (err) {
      this.reachable = false
      throw err
    }
  }

  private async checkReachable(): Promise<void> {
    try {
      await this.pool.query('SELECT 1')
      this.reachable = true
    } catch {
      this.reachable = false
    }
  }

  private async liveSubscriberIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM subscribers WHERE NOT deleted ORDER BY id',
    )
    return rows.map((r) => r.id)
  }
}
