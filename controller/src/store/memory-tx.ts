/**
 * The tables of the in-memory document as one transaction's view (see DocumentStore): every write
 * is recorded in the change log (undo and the write-ahead line) and told to the commit notes.
 */
import type { IpPrefix } from '@capd/protocol'
import { AddressIndex } from './address-index.js'
import { findAudit } from './audit-find.js'
import type { ChangeLog } from './change-log.js'
import type { CommitNotes } from './commit-notes.js'
import type { Data } from './data.js'
import type { Agent, Order, Subscriber, UsageAnomaly, UsageMark, UsagePeriod } from './entities.js'
import { MemoryIndex } from './memory-index.js'
import { MemoryTable } from './memory-table.js'
import { notificationTables } from './notification-tables.js'
import type { SubscriberQuery, Tx } from './store.js'
import { findSubscribers } from './subscriber-search.js'
import { usageHistoryTables } from './usage-history-tables.js'

export interface MemoryTxParts {
  /** The running transaction's change log (a new one per transaction). */
  log: () => ChangeLog
  /** The running transaction's commit notes. */
  notes: () => CommitNotes
  /** Lets the loop turn, still under the store's lock (see Tx.breathe). */
  breathe: () => Promise<void>
}

export function memoryTx(d: Data, { log, notes, breathe }: MemoryTxParts): Tx {
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
    (old, row) => notes().subscriberWritten(old, row),
  )
  const agentsByTokenHash = new MemoryIndex<Agent>((a) => a.tokenHash)
  const agents = new MemoryTable('agents', d.agents, log, [agentsByTokenHash])
  const usagePeriodsBySubscriber = new MemoryIndex<UsagePeriod>((p) => p.subscriberId)
  const usagePeriods = new MemoryTable('usagePeriods', d.usagePeriods, log, [usagePeriodsBySubscriber])
  const topUpsBySubscriber = new MemoryIndex<{ id: string; subscriberId: string }>((r) => r.subscriberId)
  const topUps = new MemoryTable('topUps', d.topUps, log, [topUpsBySubscriber], (old, row) =>
    notes().topUpWritten(old, row),
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
    notes().orderWritten(old, row),
  )
  const usersByName = new MemoryIndex<{ id: string; username: string }>((u) => u.username)
  const users = new MemoryTable('users', d.users, log, [usersByName])

  return {
    plans: new MemoryTable('plans', d.plans, log, [], (old, row) => notes().planWritten(old, row)),
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
    ...notificationTables(d, log, (old, row) => notes().deliveryWritten(old, row)),
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
        log().record(() => d.audit.pop(), { o: 'p', t: 'audit', v: entry })
      },
      list: async (limit) => d.audit.slice(-limit).reverse(),
      find: async (query) => findAudit(d.audit, query),
      prune: async (beforeMs) => {
        let n = 0
        while (n < d.audit.length && d.audit[n]!.atMs < beforeMs) n++
        if (n === 0) return
        const dropped = d.audit.splice(0, n)
        log().record(() => d.audit.unshift(...dropped), { o: 'x', t: 'audit', n })
      },
    },
    idempotency: {
      get: async (scope) => (Object.hasOwn(d.idempotency, scope) ? d.idempotency[scope] : undefined),
      put: async (record) => {
        const old = d.idempotency[record.scope]
        // Delete first so a renewed key moves to the end, as replaying the log does (see applyOps).
        delete d.idempotency[record.scope]
        d.idempotency[record.scope] = Object.freeze(record)
        log().record(
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
          log().record(
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
      log().record(
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
    breathe,
  }
}
