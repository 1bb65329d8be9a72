/**
 * The store as one in-memory document: transactions run one at a time under a mutex,
 * undo on failure, and wait for a group commit to make them durable before they resolve.
 * With no writer it is a purely in-memory store (tests, demos).
 */
import type { Data } from './data.js'
import type { Subscriber } from './entities.js'
import { GroupCommit } from './group-commit.js'
import { MemoryIndex } from './memory-index.js'
import { MemoryTable } from './memory-table.js'
import { Mutex } from './mutex.js'
import type { Page, Store, SubscriberQuery, Tx } from './store.js'
import { UndoLog } from './undo-log.js'

export class StoreFailedError extends Error {
  constructor(cause: Error) {
    super(`the store can no longer write (${cause.message}); restart the controller`, { cause })
    this.name = 'StoreFailedError'
  }
}

export class DocumentStore implements Store {
  private readonly mutex = new Mutex()
  private readonly commit: GroupCommit
  private undo = new UndoLog()
  private readonly tx: Tx
  private closed = false
  private failureListeners: ((err: StoreFailedError) => void)[] = []

  constructor(
    private readonly data: Data,
    write: ((json: string) => Promise<void>) | null,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.commit = new GroupCommit(() => this.snapshot(), write ?? (async () => {}))
    this.tx = this.buildTx()
  }

  async transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed')
    const release = await this.mutex.lock()
    let version: number
    let result: T
    try {
      if (this.commit.failed) throw new StoreFailedError(this.commit.failed)
      this.undo = new UndoLog()
      try {
        result = await fn(this.tx)
      } catch (err) {
        this.undo.rollback()
        throw err
      }
      // A read-only transaction may have seen changes not yet on disk: it waits for them too.
      version = this.undo.changed ? this.commit.bump() : this.commit.current
      this.undo.clear()
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
    return result
  }

  /** Called when a write fails: the owner should stop the process (see GroupCommit). */
  onFailure(listener: (err: StoreFailedError) => void): void {
    this.failureListeners.push(listener)
  }

  async peek<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed')
    const release = await this.mutex.lock()
    try {
      this.undo = new UndoLog()
      const result = await fn(this.tx)
      if (this.undo.changed) {
        this.undo.rollback()
        throw new Error('peek() must not write')
      }
      return result
    } finally {
      release()
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.commit.durable(this.commit.current).catch(() => {})
    this.closed = true
    await this.onClose()
  }

  private async snapshot() {
    const release = await this.mutex.lock()
    try {
      return { json: JSON.stringify(this.data), version: this.commit.current }
    } finally {
      release()
    }
  }

  private buildTx(): Tx {
    const d = this.data
    const undo = () => this.undo
    const byLogin = new MemoryIndex<Subscriber>((s) => s.login.toLowerCase())
    const byAgentAddress = new MemoryIndex<Subscriber>((s) => `${s.agentId}|${s.address}`)
    const subscribers = new MemoryTable(d.subscribers, undo, [byLogin, byAgentAddress])
    const topUpsBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
    const topUps = new MemoryTable(d.topUps, undo, [topUpsBySubscriber])
    const invoicesBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
    const invoices = new MemoryTable(d.invoices, undo, [invoicesBySubscriber])
    const ledgerBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
    const ledger = new MemoryTable(d.ledger, undo, [ledgerBySubscriber])
    const tokensByHash = new MemoryIndex<{ id: string; hash: string }>((t) => t.hash)
    const apiTokens = new MemoryTable(d.apiTokens, undo, [tokensByHash])
    const usersByName = new MemoryIndex<{ id: string; username: string }>((u) => u.username)
    const users = new MemoryTable(d.users, undo, [usersByName])

    return {
      plans: new MemoryTable(d.plans, undo),
      topUpPlans: new MemoryTable(d.topUpPlans, undo),
      agents: new MemoryTable(d.agents, undo),
      payments: new MemoryTable(d.payments, undo),
      subscribers: Object.assign(subscribers, {
        byLogin: async (login: string) => subscribers.byIndex(byLogin, login.toLowerCase())[0],
        byAgentAndAddress: async (agentId: string, address: string) =>
          subscribers.byIndex(byAgentAddress, `${agentId}|${address}`)[0],
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
      audit: {
        append: async (entry) => {
          d.audit.push(Object.freeze(entry))
          this.undo.record(() => d.audit.pop())
        },
        list: async (limit) => d.audit.slice(-limit).reverse(),
      },
      idempotency: {
        get: async (scope) => (Object.hasOwn(d.idempotency, scope) ? d.idempotency[scope] : undefined),
        put: async (record) => {
          const old = d.idempotency[record.scope]
          // Delete first so a renewed key moves to the end: the record order stays age order.
          delete d.idempotency[record.scope]
          d.idempotency[record.scope] = Object.freeze(record)
          this.undo.record(() => {
            if (old) d.idempotency[record.scope] = old
            else delete d.idempotency[record.scope]
          })
        },
        prune: async (beforeMs) => {
          for (const [scope, record] of Object.entries(d.idempotency)) {
            if (record.createdAtMs >= beforeMs) break
            delete d.idempotency[scope]
            // Re-adding a pruned record on rollback keeps it findable; its position does not matter.
            this.undo.record(() => {
              d.idempotency[scope] = record
            })
          }
        },
      },
      nextSequence: async (name) => {
        const had = Object.hasOwn(d.sequences, name)
        const old = d.sequences[name] ?? 0
        d.sequences[name] = old + 1
        this.undo.record(() => {
          if (had) d.sequences[name] = old
          else delete d.sequences[name]
        })
        return old + 1
      },
    }
  }
}

function findSubscribers(table: MemoryTable<Subscriber>, query: SubscriberQuery): Page<Subscriber> {
  const q = query.q?.toLowerCase()
  const items: Subscriber[] = []
  let more = false
  table.scanFrom(query.after, (s) => {
    if (query.state && s.state !== query.state) return true
    if (query.agentId && s.agentId !== query.agentId) return true
    if (q && !matches(s, q)) return true
    if (items.length === query.limit) {
      more = true
      return false
    }
    items.push(s)
    return true
  })
  return { items, nextCursor: more ? items[items.length - 1]!.id : null }
}

function matches(s: Subscriber, q: string): boolean {
  return (
    s.name.toLowerCase().includes(q) ||
    s.login.toLowerCase().includes(q) ||
    s.address.includes(q) ||
    (s.email?.toLowerCase().includes(q) ?? false)
  )
}
