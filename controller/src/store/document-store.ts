/**
 * The store as one in-memory document: transactions run one at a time under a mutex, are undone
 * on failure, and on success wait for a group commit to make them durable before they resolve.
 * What a commit writes is the transaction's changes (a write-ahead log line), so its cost is the
 * size of the change. Once the log has grown enough, the document as of one version is written as
 * a snapshot in the background, a slice at a time, while commits go on appending to the log; once
 * the snapshot is durable the log is cut to the records after it. With no persistence it is a
 * purely in-memory store (tests).
 */
import type { IpPrefix } from '@capd/protocol'
import { LoopBreather } from '@capd/protocol'
import { AddressIndex } from './address-index.js'
import { findAudit } from './audit-find.js'
import { ChangeLog } from './change-log.js'
import { type Commit, CommitListeners, CommitNotes } from './commit-notes.js'
import type { Data } from './data.js'
import { type DocumentView, viewDocument } from './document-view.js'
import type { Agent, Order, Subscriber, UsageAnomaly, UsageMark, UsagePeriod } from './entities.js'
import { type Batch, GroupCommit } from './group-commit.js'
import { MemoryIndex } from './memory-index.js'
import { MemoryTable } from './memory-table.js'
import { Mutex } from './mutex.js'
import { notificationTables } from './notification-tables.js'
import type { Store, StoreHealth, StoreWrite, SubscriberQuery, Tx } from './store.js'
import { findSubscribers } from './subscriber-search.js'
import { usageHistoryTables } from './usage-history-tables.js'

export class StoreFailedError extends Error {
  constructor(cause: Error) {
    super(`the store can no longer write (${cause.message}); restart the controller`, { cause })
    this.name = 'StoreFailedError'
  }
}

/** Where committed changes go. */
export interface Persistence {
  /** Appends log lines and makes them durable. */
  append(lines: string): Promise<void>
  /** Whether the log has grown enough that a snapshot is worth its cost. */
  wantsSnapshot(): boolean
  /**
   * Durably writes the document as `view` holds it (it records the version it holds) in place of
   * the last snapshot. Appends go on meanwhile; the log is left as it is.
   */
  snapshot(view: DocumentView): Promise<void>
  /** Replaces the log with `lines`, the records after the snapshot now in place ('' empties it). */
  cutLog(lines: string): Promise<void>
  close(): Promise<void>
}

interface PendingBatch extends Batch {
  lines: string
}

/** A snapshot being written: its version, and the log lines appended since that it does not hold. */
interface RunningSnapshot {
  version: number
  tail: string[]
}

export class DocumentStore implements Store {
  private readonly mutex = new Mutex()
  private readonly breather = new LoopBreather()
  private readonly commit: GroupCommit<PendingBatch>
  private changes = new ChangeLog()
  /** What the running transaction hands on once committed (see onCommit). */
  private notes: CommitNotes
  /** Log lines of committed transactions not yet handed to a write. */
  private pending: string[] = []
  private readonly tx: Tx
  /** The tables a snapshot freezes copy-on-write (the rest of the document is small and copied). */
  private readonly tables: MemoryTable<{ id: string }>[]
  private running: RunningSnapshot | undefined
  private snapshotDone: Promise<void> = Promise.resolve()
  /** Appends and log cuts, one at a time: a cut must not lose an append running beside it. */
  private logWrites: Promise<unknown> = Promise.resolve()
  private closed = false
  private failureListeners: ((err: StoreFailedError) => void)[] = []
  private writeListeners: ((write: StoreWrite) => void)[] = []
  private readonly commitListeners = new CommitListeners()

  constructor(
    private readonly data: Data,
    private readonly persistence: Persistence | null,
  ) {
    this.commit = new GroupCommit(
      () => this.collect(),
      (batch) => this.write(batch),
      data.committedVersion ?? 0,
    )
    this.notes = this.freshNotes()
    this.tx = this.buildTx()
    // A set: one table may be reachable under two names.
    this.tables = [...new Set(Object.values(this.tx).filter((part) => part instanceof MemoryTable))]
  }

  async transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed')
    const release = await this.mutex.lock()
    let version: number
    let result: T
    let notes: CommitNotes
    try {
      if (this.commit.failed) throw new StoreFailedError(this.commit.failed)
      this.changes = new ChangeLog()
      notes = this.notes = this.freshNotes()
      this.breather.restart()
      try {
        result = await fn(this.tx)
      } catch (err) {
        this.changes.rollback()
        this.notes = this.freshNotes()
        throw err
      }
      // A read-only transaction may have seen changes not yet on disk: it waits for them too.
      if (this.changes.changed) {
        version = this.commit.bump()
        if (this.persistence) this.pending.push(`${JSON.stringify({ v: version, ops: this.changes.ops })}\n`)
      } else {
        version = this.commit.current
      }
      this.changes = new ChangeLog()
    } finally {
      release()
    }
    try {
      await this.commit.durable(version)
    } catch (err) {
      const failure = new StoreFailedError(err as Error)
      for (const listener of this.failureListeners) listener(failure)
      throw failure
    }
    if (!notes.empty) this.commitListeners.announce(notes.commit())
    return result
  }

  /**
   * Calls `listener` after each durable commit that changed a subscriber's limit inputs, with
   * their ids, before the transaction's promise resolves. Returns a function that unsubscribes.
   */
  onCommit(listener: (commit: Commit) => void): () => void {
    return this.commitListeners.add(listener)
  }

  private freshNotes(): CommitNotes {
    return new CommitNotes(this.data.subscribers)
  }

  /** Told of each durable write once it is done (see Store.onWrite). */
  onWrite(listener: (write: StoreWrite) => void): void {
    this.writeListeners.push(listener)
  }

  /** Called when a write fails: the owner should stop the process (see GroupCommit). */
  onFailure(listener: (err: StoreFailedError) => void): void {
    this.failureListeners.push(listener)
  }

  health(): StoreHealth {
    const state = this.commit.failed ? 'failed' : this.closed ? 'closed' : 'open'
    return { state, writingMs: this.commit.writingMs }
  }

  async peek<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed')
    const release = await this.mutex.lock()
    try {
      this.changes = new ChangeLog()
      const result = await fn(this.tx)
      if (this.changes.changed) {
        this.changes.rollback()
        throw new Error('peek() must not write')
      }
      return result
    } finally {
      release()
    }
  }

  /** Resolves once the snapshot being written in the background, if any, is in place and the log cut. */
  async snapshotSettled(): Promise<void> {
    await this.snapshotDone
  }

  /** Writes what is pending, then a snapshot so the next start reads one file, and lets go. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const persistence = this.persistence
    if (persistence && !this.commit.failed) {
      await this.commit.durable(this.commit.current).catch(() => {})
      await this.snapshotDone
      if (!this.commit.failed) {
        const release = await this.mutex.lock()
        try {
          const view = viewDocument(this.data, this.tables, this.commit.current)
          try {
            await persistence.snapshot(view)
          } finally {
            view.release()
          }
          await this.serialLog(() => persistence.cutLog(''))
        } finally {
          release()
        }
      }
    }
    await persistence?.close()
  }

  /** Takes the pending log lines under the lock, and starts a snapshot if the log has grown enough. */
  private async collect(): Promise<PendingBatch> {
    const release = await this.mutex.lock()
    try {
      const version = this.commit.current
      const lines = this.pending.join('')
      this.pending = []
      if (!this.running && this.persistence?.wantsSnapshot()) this.startSnapshot(this.persistence, version)
      return { version, lines }
    } finally {
      release()
    }
  }

  /**
   * Freezes the document at `version` (no transaction is running: the caller holds the lock) and
   * writes it in the background. Every line up to `version` is in this batch or an earlier one;
   * every later batch is after it, and is what the log keeps once the snapshot is in place.
   */
  private startSnapshot(persistence: Persistence, version: number): void {
    const view = viewDocument(this.data, this.tables, version)
    const running: RunningSnapshot = { version, tail: [] }
    this.running = running
    const startedMs = performance.now()
    const written = (async () => {
      try {
        await persistence.snapshot(view)
      } finally {
        view.release()
      }
      // Only now, with the snapshot renamed into place: a reader (capd backup) that read the old
      // one sees either the whole log or, reading after the rename, a different snapshot.
      await this.serialLog(async () => {
        await persistence.cutLog(running.tail.join(''))
        this.running = undefined
      })
      this.announceWrite({ kind: 'snapshot', seconds: (performance.now() - startedMs) / 1000 })
    })()
    this.snapshotDone = written.catch((err: unknown) => this.fail(err))
  }

  private async write(batch: PendingBatch): Promise<void> {
    const persistence = this.persistence
    if (!persistence || !batch.lines) return
    await this.serialLog(async () => {
      const startedMs = performance.now()
      await persistence.append(batch.lines)
      if (this.running && batch.version > this.running.version) this.running.tail.push(batch.lines)
      this.announceWrite({ kind: 'log', seconds: (performance.now() - startedMs) / 1000 })
    })
  }

  private serialLog<R>(task: () => Promise<R>): Promise<R> {
    const result = this.logWrites.then(task)
    this.logWrites = result.catch(() => {})
    return result
  }

  private announceWrite(write: StoreWrite): void {
    for (const listener of this.writeListeners) listener(write)
  }

  /**
   * A snapshot that could not be written loses nothing (the log still holds every commit), but a
   * disk that refuses it will refuse the log next: the store fails as for a failed append.
   */
  private fail(err: unknown): void {
    const failure = new StoreFailedError(this.commit.poison(err))
    for (const listener of this.failureListeners) listener(failure)
  }

  private buildTx(): Tx {
    const d = this.data
    const log = () => this.changes
    const byLogin = new MemoryIndex<Subscriber>((s) => s.login.toLowerCase())
    // A deleted subscriber is on no agent and holds no address (it may be given to another).
    const byAddress = new AddressIndex<Subscriber>((s) => s.deletedAtMs === undefined)
    const subscribersByAgent = new MemoryIndex<Subscriber>((s) =>
      s.deletedAtMs === undefined ? s.agentId : undefined,
    )
    const subscribersByFormerAgent = new MemoryIndex<Subscriber>((s) => s.formerAgentIds)
    const subscribers = new MemoryTable(
      'subscribers',
      d.subscribers,
      log,
      [byLogin, byAddress, subscribersByAgent, subscribersByFormerAgent],
      (old, row) => this.notes.subscriberWritten(old, row),
    )
    const agentsByTokenHash = new MemoryIndex<Agent>((a) => a.tokenHash)
    const agents = new MemoryTable('agents', d.agents, log, [agentsByTokenHash])
    const usagePeriodsBySubscriber = new MemoryIndex<UsagePeriod>((p) => p.subscriberId)
    const usagePeriods = new MemoryTable('usagePeriods', d.usagePeriods, log, [usagePeriodsBySubscriber])
    const topUpsBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
    const topUps = new MemoryTable('topUps', d.topUps, log, [topUpsBySubscriber], (old, row) =>
      this.notes.topUpWritten(old, row),
    )
    const invoicesBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
    const invoices = new MemoryTable('invoices', d.invoices, log, [invoicesBySubscriber])
    const ledgerBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
    const ledger = new MemoryTable('ledger', d.ledger, log, [ledgerBySubscriber])
    const tokensByHash = new MemoryIndex<{ id: string; hash: string }>((t) => t.hash)
    const apiTokens = new MemoryTable('apiTokens', d.apiTokens, log, [tokensByHash])
    const anomaliesByAgent = new MemoryIndex<UsageAnomaly>((a) => a.agentId)
    const marksByAgent = new MemoryIndex<UsageMark>((m) => m.agentId)
    const usageMarks = new MemoryTable('usageMarks', d.usageMarks, log, [marksByAgent])
    const usageAnomalies = new MemoryTable('usageAnomalies', d.usageAnomalies, log, [anomaliesByAgent])
    const paymentsBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
    const payments = new MemoryTable('payments', d.payments, log, [paymentsBySubscriber])
    const ordersBySubscriber = new MemoryIndex<Order>((o) => o.subscriberId)
    const ordersByRef = new MemoryIndex<Order>((o) =>
      o.providerRef ? `${o.provider}/${o.providerRef}` : undefined,
    )
    const orders = new MemoryTable('orders', d.orders, log, [ordersBySubscriber, ordersByRef], (old, row) =>
      this.notes.orderWritten(old, row),
    )
    const usersByName = new MemoryIndex<{ id: string; username: string }>((u) => u.username)
    const users = new MemoryTable('users', d.users, log, [usersByName])

    return {
      plans: new MemoryTable('plans', d.plans, log, [], (old, row) => this.notes.planWritten(old, row)),
      topUpPlans: new MemoryTable('topUpPlans', d.topUpPlans, log),
      agents: Object.assign(agents, {
        byTokenHash: async (hash: string) => agents.byIndex(agentsByTokenHash, hash)[0],
      }),
      payments: Object.assign(payments, {
        forSubscriber: async (id: string) => payments.byIndex(paymentsBySubscriber, id),
      }),
      orders: Object.assign(orders, {
        forSubscriber: async (id: string) => orders.byIndex(ordersBySubscriber, id),
        byProviderRef: async (provider: Order['provider'], ref: string) =>
          ref ? orders.byIndex(ordersByRef, `${provider}/${ref}`)[0] : undefined,
      }),
      paymentEvents: new MemoryTable('paymentEvents', d.paymentEvents, log),
      ...notificationTables(d, log, (old, row) => this.notes.deliveryWritten(old, row)),
      ...usageHistoryTables(d, log),
      usageMarks: Object.assign(usageMarks, {
        forAgent: async (agentId: string) => usageMarks.byIndex(marksByAgent, agentId),
      }),
      usageAnomalies: Object.assign(usageAnomalies, {
        forAgent: async (agentId: string) => usageAnomalies.byIndex(anomaliesByAgent, agentId),
      }),
      usagePeriods: Object.assign(usagePeriods, {
        forSubscriber: async (id: string) => usagePeriods.byIndex(usagePeriodsBySubscriber, id),
      }),
      subscribers: Object.assign(subscribers, {
        byLogin: async (login: string) => subscribers.byIndex(byLogin, login.toLowerCase())[0],
        forAgent: async (agentId: string) => subscribers.byIndex(subscribersByAgent, agentId),
        movedFrom: async (agentId: string) => subscribers.byIndex(subscribersByFormerAgent, agentId),
        overlappingAddress: async (agentId: string, prefix: IpPrefix, exceptId?: string) => {
          const id = byAddress.overlapping(agentId, prefix, exceptId)
          return id === undefined ? undefined : subscribers.getNow(id)
        },
        find: async (query: SubscriberQuery) => findSubscribers(subscribers, query),
      }),
      topUps: Object.assign(topUps, {
        forSubscriber: async (id: string) => topUps.byIndex(topUpsBySubscriber, id),
      }),
      invoices: Object.assign(invoices, {
        forSubscriber: async (id: string) => invoices.byIndex(invoicesBySubscriber, id),
      }),
      ledger: Object.assign(ledger, {
        forSubscriber: async (id: string) => ledger.byIndex(ledgerBySubscriber, id),
      }),
      apiTokens: Object.assign(apiTokens, {
        byHash: async (hash: string) => apiTokens.byIndex(tokensByHash, hash)[0],
      }),
      users: Object.assign(users, {
        byUsername: async (name: string) => users.byIndex(usersByName, name)[0],
      }),
      portalSessions: new MemoryTable('portalSessions', d.portalSessions, log),
      operatorSessions: new MemoryTable('operatorSessions', d.operatorSessions, log),
      settings: new MemoryTable('settings', d.settings, log),
      audit: {
        append: async (entry) => {
          d.audit.push(Object.freeze(entry))
          this.changes.record(() => d.audit.pop(), { o: 'p', t: 'audit', v: entry })
        },
        list: async (limit) => d.audit.slice(-limit).reverse(),
        find: async (query) => findAudit(d.audit, query),
        prune: async (beforeMs) => {
          let n = 0
          while (n < d.audit.length && d.audit[n]!.atMs < beforeMs) n++
          if (n === 0) return
          const dropped = d.audit.splice(0, n)
          this.changes.record(() => d.audit.unshift(...dropped), { o: 'x', t: 'audit', n })
        },
      },
      idempotency: {
        get: async (scope) => (Object.hasOwn(d.idempotency, scope) ? d.idempotency[scope] : undefined),
        put: async (record) => {
          const old = d.idempotency[record.scope]
          // Delete first so a renewed key moves to the end, as replaying the log does (see applyOps).
          delete d.idempotency[record.scope]
          d.idempotency[record.scope] = Object.freeze(record)
          this.changes.record(
            () => {
              if (old) d.idempotency[record.scope] = old
              else delete d.idempotency[record.scope]
            },
            { o: 's', t: 'idempotency', k: record.scope, v: record },
          )
        },
        prune: async (beforeMs) => {
          // Every record is looked at: an undone put or prune puts a record back at the end, out of
          // age order, so stopping at the first young one would keep old ones (an hourly scan).
          for (const [scope, record] of Object.entries(d.idempotency)) {
            if (record.createdAtMs >= beforeMs) continue
            delete d.idempotency[scope]
            this.changes.record(
              () => {
                d.idempotency[scope] = record
              },
              { o: 'd', t: 'idempotency', k: scope },
            )
          }
        },
      },
      nextSequence: async (name) => {
        const had = Object.hasOwn(d.sequences, name)
        const old = d.sequences[name] ?? 0
        d.sequences[name] = old + 1
        this.changes.record(
          () => {
            if (had) d.sequences[name] = old
            else delete d.sequences[name]
          },
          { o: 's', t: 'sequences', k: name, v: old + 1 },
        )
        return old + 1
      },
      // Under the lock: every read and write of the document waits for it, so nothing sees the
      // transaction half done while the loop turns.
      breathe: () => this.breather.breathe(),
    }
  }
}
