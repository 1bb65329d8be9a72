/** Which PostgreSQL table holds each of the document's tables, and the real columns taken from its rows. */
import { parseIpPrefix } from '@capd/protocol'
import type { Data } from '../data.js'
import type { Delivery, Invoice, Order, Subscriber } from '../entities.js'

/** A column kept beside `doc`, computed from the row at each write. */
export interface Column {
  readonly name: string
  /** The PostgreSQL type of its values (its column's type in the recordset rows are written from). */
  readonly type: 'text' | 'bigint' | 'integer' | 'boolean' | 'inet' | 'jsonb'
  /** Its value in the row; a jsonb column's is the JSON value itself, not its text. */
  of(row: never): string | number | boolean | null | readonly string[]
}

export interface TableSpec {
  /** The table's key in the embedded document. */
  readonly key: RowTableKey
  readonly sql: string
  readonly columns: readonly Column[]
}

/** The document's tables of rows with ids (audit, idempotency and sequences are kept apart). */
export type RowTableKey = Exclude<
  keyof Data,
  'format' | 'version' | 'audit' | 'idempotency' | 'sequences' | 'migrations' | 'committedVersion'
>

const col = <T>(name: string, type: Column['type'], of: (row: T) => ReturnType<Column['of']>) =>
  ({ name, type, of }) as Column

const subscriberId = col<{ subscriberId: string }>('subscriber_id', 'text', (r) => r.subscriberId)
const nullableSubscriberId = col<{ subscriberId?: string }>(
  'subscriber_id',
  'text',
  (r) => r.subscriberId ?? null,
)

/**
 * The address as PostgreSQL's inet, or null for none (known by login) or one that no longer parses:
 * either is in no overlap check, as in memory.
 */
function inetOf(address: string | undefined): string | null {
  if (address === undefined) return null
  try {
    parseIpPrefix(address)
    return address
  } catch {
    return null
  }
}

/** `INV-2026-000001` → series `INV-2026`, number 1 (older `INV-000001` → `INV`, 1). */
export function invoiceSeries(number: string): { series: string; num: number } {
  const m = /^(.*)-(\d+)$/.exec(number)
  return m ? { series: m[1]!, num: Number(m[2]) } : { series: number, num: 1 }
}

export const TABLE_SPECS: readonly TableSpec[] = [
  { key: 'settings', sql: 'settings', columns: [] },
  { key: 'plans', sql: 'plans', columns: [] },
  { key: 'topUpPlans', sql: 'top_up_plans', columns: [] },
  {
    key: 'agents',
    sql: 'agents',
    columns: [col<{ tokenHash: string }>('token_hash', 'text', (r) => r.tokenHash)],
  },
  {
    key: 'subscribers',
    sql: 'subscribers',
    columns: [
      col<Subscriber>('login_lower', 'text', (r) => r.login.toLowerCase()),
      col<Subscriber>('agent_id', 'text', (r) => r.agentId),
      col<Subscriber>('plan_id', 'text', (r) => r.planId),
      col<Subscriber>('deleted', 'boolean', (r) => r.deletedAtMs !== undefined),
      col<Subscriber>('address', 'inet', (r) => inetOf(r.address)),
      col<Subscriber>('balance', 'bigint', (r) => r.balance.amount),
      // A column of its own, not an index on `doc`: an index over `doc` would make every update of
      // the row (each usage batch) a non-HOT one, with new entries in every index.
      col<Subscriber>('former_agent_ids', 'jsonb', (r) => r.formerAgentIds ?? null),
    ],
  },
  { key: 'topUps', sql: 'top_ups', columns: [subscriberId] },
  {
    key: 'invoices',
    sql: 'invoices',
    columns: [
      subscriberId,
      col<Invoice>('series', 'text', (r) => invoiceSeries(r.number).series),
      col<Invoice>('num', 'integer', (r) => invoiceSeries(r.number).num),
    ],
  },
  { key: 'payments', sql: 'payments', columns: [subscriberId] },
  {
    key: 'orders',
    sql: 'orders',
    columns: [
      subscriberId,
      col<Order>('provider_ref', 'text', (r) => (r.providerRef ? `${r.provider}/${r.providerRef}` : null)),
    ],
  },
  { key: 'paymentEvents', sql: 'payment_events', columns: [] },
  { key: 'notifications', sql: 'notifications', columns: [nullableSubscriberId] },
  {
    key: 'deliveries',
    sql: 'deliveries',
    columns: [
      col<Delivery>('status', 'text', (r) => r.status),
      col<Delivery>('channel', 'text', (r) => r.channel),
      col<Delivery>('event', 'text', (r) => r.event),
      nullableSubscriberId,
      col<Delivery>('notification_id', 'text', (r) => r.notificationId),
      col<Delivery>('next_attempt_at_ms', 'bigint', (r) => r.nextAttemptAtMs),
    ],
  },
  { key: 'webhookEndpoints', sql: 'webhook_endpoints', columns: [] },
  {
    key: 'usageMarks',
    sql: 'usage_marks',
    columns: [
      col<{ agentId: string }>('agent_id', 'text', (r) => r.agentId),
      col<{ epoch: string }>('epoch', 'text', (r) => r.epoch),
    ],
  },
  { key: 'usagePeriods', sql: 'usage_periods', columns: [subscriberId] },
  {
    key: 'usageAnomalies',
    sql: 'usage_anomalies',
    columns: [col<{ agentId: string }>('agent_id', 'text', (r) => r.agentId)],
  },
  {
    key: 'usageDays',
    sql: 'usage_days',
    columns: [subscriberId, col<{ day: string }>('day', 'text', (r) => r.day)],
  },
  {
    key: 'usageMonths',
    sql: 'usage_months',
    columns: [subscriberId, col<{ month: string }>('month', 'text', (r) => r.month)],
  },
  { key: 'ledger', sql: 'ledger', columns: [subscriberId] },
  { key: 'apiTokens', sql: 'api_tokens', columns: [col<{ hash: string }>('hash', 'text', (r) => r.hash)] },
  { key: 'users', sql: 'users', columns: [col<{ username: string }>('username', 'text', (r) => r.username)] },
  { key: 'portalSessions', sql: 'portal_sessions', columns: [] },
  { key: 'operatorSessions', sql: 'operator_sessions', columns: [] },
]

export const specOf = (key: RowTableKey): TableSpec => TABLE_SPECS.find((s) => s.key === key)!
