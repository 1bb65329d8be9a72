/** The repository interface over one PostgreSQL transaction: row tables, their look-ups, and the side parts. */
import { type IpPrefix, LoopBreather, prefixRange } from '@capd/protocol'
import { CommitNotes } from '../commit-notes.js'
import type {
  Agent,
  ApiToken,
  Delivery,
  Invoice,
  LedgerEntry,
  Notification,
  Order,
  Payment,
  Plan,
  Subscriber,
  TopUp,
  UsageAnomaly,
  UsageMark,
  UsagePeriod,
  User,
} from '../entities.js'
import type { DeliveryQuery, Page, SubscriberQuery, Tx } from '../store.js'
import type { UsageDay, UsageMonth } from '../usage-history-entities.js'
import { auditPart, type Flushable, idempotencyPart, nextSequence } from './pg-side-tables.js'
import { PgTable, type Query } from './pg-table.js'
import { usageJournalPart } from './pg-usage-journal.js'
import { type RowTableKey, specOf, TABLE_SPECS } from './table-specs.js'

export interface PgTx {
  readonly tx: Tx
  readonly notes: CommitNotes
  /** Writes everything still in the overlays (at commit). */
  flush(): Promise<void>
}

export function buildPgTx(query: Query, readOnly: boolean): PgTx {
  // Plan changes name the subscribers on the plan: CommitNotes finds them in this record, filled
  // from the database just before it is told (the embedded store hands it every subscriber).
  const onPlan: Record<string, Subscriber> = {}
  const notes = new CommitNotes(onPlan)
  const tables = new Map<RowTableKey, PgTable<{ id: string }>>()
  const table = <T extends { id: string }>(
    key: RowTableKey,
    written?: (old: T | undefined, row: T | undefined) => void | Promise<void>,
  ): PgTable<T> => {
    const t = new PgTable<T>(specOf(key), query, readOnly, written)
    tables.set(key, t as unknown as PgTable<{ id: string }>)
    return t
  }
  const subscribers = table<Subscriber>('subscribers', (old, row) => notes.subscriberWritten(old, row))
  const plans = table<Plan>('plans', async (old, row) => {
    if (old) for (const s of await subscribers.where('plan_id = $1', [old.id])) onPlan[s.id] = s
    notes.planWritten(old, row)
    for (const id of Object.keys(onPlan)) delete onPlan[id]
  })
  const agents = table<Agent>('agents')
  const topUps = table<TopUp>('topUps', (old, row) => notes.topUpWritten(old, row))
  const invoices = table<Invoice>('invoices')
  const payments = table<Payment>('payments')
  const orders = table<Order>('orders', (old, row) => notes.orderWritten(old, row))
  const notifications = table<Notification>('notifications')
  const deliveries = table<Delivery>('deliveries', (old, row) => notes.deliveryWritten(old, row))
  const usageAnomalies = table<UsageAnomaly>('usageAnomalies')
  const usageMarks = table<UsageMark>('usageMarks')
  const usageDays = table<UsageDay>('usageDays')
  const usageMonths = table<UsageMonth>('usageMonths')
  const usagePeriods = table<UsagePeriod>('usagePeriods')
  const ledger = table<LedgerEntry>('ledger')
  const apiTokens = table<ApiToken>('apiTokens')
  const users = table<User>('users')
  const first = async <T extends { id: string }>(t: PgTable<T>, condition: string, params: unknown[]) =>
    (await t.where(condition, params, 'id', 1))[0]
  // PgTable's own forSubscriber (subscriber_id, cached until the table is written).
  const bySubscriber = <T extends { id: string }>(t: PgTable<T>) => t
  const audit = auditPart(query, readOnly)
  const breather = new LoopBreather()
  const idempotency = idempotencyPart(query, readOnly)
  const usageJournal = usageJournalPart(query, readOnly)

  const tx: Tx = {
    plans,
    topUpPlans: table('topUpPlans'),
    agents: Object.assign(agents, {
      byTokenHash: (hash: string) => first(agents, 'token_hash = $1', [hash]),
    }),
    subscribers: Object.assign(subscribers, {
      byLogin: (login: string) => first(subscribers, 'login_lower = $1', [login.toLowerCase()]),
      forAgent: (agentId: string) => subscribers.where('agent_id = $1 AND NOT deleted', [agentId]),
      // By the GIN index of migration 3, so its predicate lock covers these rows, not the table.
      movedFrom: (agentId: string) => subscribers.where('former_agent_ids ? $1', [agentId]),
      overlappingAddress: (agentId: string, prefix: IpPrefix, exceptId?: string) =>
        first(subscribers, 'agent_id = $1 AND NOT deleted AND address && $2::inet AND id <> $3', [
          agentId,
          inetText(prefix),
          exceptId ?? '',
        ]),
      find: (q: SubscriberQuery) => findSubscribers(subscribers, q),
    }),
    topUps: bySubscriber(topUps),
    invoices: bySubscriber(invoices),
    payments: bySubscriber(payments),
    orders: Object.assign(bySubscriber(orders), {
      byProviderRef: async (provider: Order['provider'], ref: string) =>
        ref ? first(orders, 'provider_ref = $1', [`${provider}/${ref}`]) : undefined,
    }),
    paymentEvents: table('paymentEvents'),
    notifications: bySubscriber(notifications),
    deliveries: Object.assign(deliveries, {
      due: (nowMs: number, limit: number) =>
        deliveries.where(
          `status IN ('queued', 'sending') AND next_attempt_at_ms <= $1`,
          [nowMs],
          'id',
          limit,
        ),
      openCount: async () => {
        await deliveries.flush()
        const rows = await query<{ n: string }>(
          `SELECT count(*) AS n FROM deliveries WHERE status IN ('queued', 'sending')`,
        )
        return Number(rows[0]!.n)
      },
      forNotification: (id: string) => deliveries.where('notification_id = $1', [id]),
      find: (q: DeliveryQuery) => findDeliveries(deliveries, q),
    }),
    webhookEndpoints: table('webhookEndpoints'),
    usageMarks: Object.assign(usageMarks, {
      forAgent: (agentId: string) => usageMarks.where('agent_id = $1', [agentId]),
    }),
    usageAnomalies: Object.assign(usageAnomalies, {
      forAgent: (agentId: string) => usageAnomalies.where('agent_id = $1', [agentId]),
    }),
    usageDays: Object.assign(usageDays, {
      forSubscriber: (id: string, fromDay: string, toDay: string) =>
        usageDays.where('subscriber_id = $1 AND day >= $2 AND day <= $3', [id, fromDay, toDay], 'day, id'),
      before: (day: string, limit: number) => usageDays.where('day < $1', [day], 'id', limit),
    }),
    usageMonths: Object.assign(usageMonths, {
      forSubscriber: (id: string, fromMonth: string, toMonth: string) =>
        usageMonths.where(
          'subscriber_id = $1 AND month >= $2 AND month <= $3',
          [id, fromMonth, toMonth],
          'month, id',
        ),
      before: (month: string, limit: number) => usageMonths.where('month < $1', [month], 'id', limit),
    }),
    usagePeriods: bySubscriber(usagePeriods),
    ledger: bySubscriber(ledger),
    apiTokens: Object.assign(apiTokens, { byHash: (hash: string) => first(apiTokens, 'hash = $1', [hash]) }),
    users: Object.assign(users, { byUsername: (name: string) => first(users, 'username = $1', [name]) }),
    portalSessions: table('portalSessions'),
    operatorSessions: table('operatorSessions'),
    settings: table('settings'),
    audit,
    idempotency,
    usageJournal,
    nextSequence: (name: string) => nextSequence(query, readOnly, name),
    breathe: () => breather.breathe(),
    readAhead: async (hint) => {
      if (hint.agents) await agents.readAhead(hint.agents)
      if (hint.usageMarks) await usageMarks.readAhead(hint.usageMarks)
      if (hint.subscribers) await subscribers.readAhead(hint.subscribers)
      if (hint.usageDays) await usageDays.readAhead(hint.usageDays)
      if (hint.topUpsOf) await topUps.readAheadBySubscriber(hint.topUpsOf)
    },
  }
  const sides: Flushable[] = [audit, idempotency, usageJournal]
  return {
    tx,
    notes,
    flush: async () => {
      // In one fixed order, so two controllers' commits lock rows in the same order.
      for (const spec of TABLE_SPECS) await tables.get(spec.key)?.flush()
      for (const side of sides) await side.flush()
    },
  }
}

/** A prefix as PostgreSQL's inet text: the network address and its length. */
function inetText(prefix: IpPrefix): string {
  const { start } = prefixRange(prefix)
  const bits = prefix.family === 4 ? 32 : 128
  const hex = start.toString(16).padStart(bits / 4, '0')
  const address =
    prefix.family === 4
      ? [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.')
      : (hex.match(/.{4}/g) ?? []).join(':')
  return `${address}/${prefix.prefixLength}`
}

async function findSubscribers(table: PgTable<Subscriber>, q: SubscriberQuery): Promise<Page<Subscriber>> {
  const params: unknown[] = [q.deleted ?? false]
  const where = ['deleted = $1']
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value)
    where.push(sql(`$${params.length}`))
  }
  if (q.after !== undefined) add((p) => `id > ${p}`, q.after)
  if (q.state) add((p) => `doc->>'state' = ${p}`, q.state)
  if (q.agentId) add((p) => `agent_id = ${p}`, q.agentId)
  if (q.q) {
    // strpos, not LIKE: the text is matched as it is, `%` and `_` included.
    add(
      (p) =>
        `(strpos(lower(doc->>'name'), ${p}) > 0 OR strpos(login_lower, ${p}) > 0 OR strpos(coalesce(doc->>'address', ''), ${p}) > 0 OR strpos(lower(coalesce(doc->>'email', '')), ${p}) > 0)`,
      q.q.toLowerCase(),
    )
  }
  const rows = await table.where(where.join(' AND '), params, 'id', q.limit + 1)
  const items = rows.slice(0, q.limit)
  return { items, nextCursor: rows.length > q.limit ? items.at(-1)!.id : null }
}

async function findDeliveries(table: PgTable<Delivery>, q: DeliveryQuery): Promise<Page<Delivery>> {
  const params: unknown[] = []
  const where = ['TRUE']
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value)
    where.push(sql(`$${params.length}`))
  }
  if (q.before !== undefined) add((p) => `id < ${p}`, q.before)
  if (q.status) add((p) => `status = ${p}`, q.status)
  if (q.channel) add((p) => `channel = ${p}`, q.channel)
  if (q.event) add((p) => `event = ${p}`, q.event)
  if (q.subscriberId) add((p) => `subscriber_id = ${p}`, q.subscriberId)
  const rows = await table.where(where.join(' AND '), params, 'id DESC', q.limit + 1)
  const items = rows.slice(0, q.limit)
  return { items, nextCursor: rows.length > q.limit ? items.at(-1)!.id : null }
}
