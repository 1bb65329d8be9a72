/** Realistic rows for the store contract suite, each a small function of the few fields a test varies. */
import type {
  Agent,
  AuditEntry,
  Delivery,
  DeliveryStatus,
  IdempotencyRecord,
  Notification,
  Order,
  Plan,
  Subscriber,
  TopUp,
} from '../entities.js'
import type { UsageDay, UsageMonth } from '../usage-history-entities.js'

export const usd = (amount: number) => ({ amount, currency: 'USD' })

export const plan = (id: string, capBytes = 10_000_000_000): Plan => ({
  id,
  name: `Plan ${id}`,
  capBytes,
  onCap: 'block',
  createdAtMs: 1_700_000_000_000,
})

export const agent = (id: string, tokenHash = `hash-${id}`): Agent => ({
  id,
  name: `router ${id}`,
  tokenHash,
  createdAtMs: 1_700_000_000_000,
})

export const subscriber = (id: string, fields: Partial<Subscriber> = {}): Subscriber => ({
  id,
  name: `Customer ${id}`,
  login: `login-${id}`,
  email: `${id}@example.net`,
  planId: 'pln_basic',
  agentId: 'agt_1',
  address: '10.0.0.1',
  billingDay: 1,
  balance: usd(0),
  createdAtMs: 1_700_000_000_000,
  usedBytes: 0,
  usagePeriodStartMs: 1_700_000_000_000,
  state: 'open',
  ...fields,
})

export const topUp = (id: string, subscriberId: string): TopUp => ({
  id,
  subscriberId,
  bytes: 5_000_000_000,
  price: usd(500),
  source: 'operator',
  chargeTo: 'balance',
  createdAtMs: 1_700_000_100_000,
  periodStartMs: 1_700_000_000_000,
  expiresAtMs: 1_702_000_000_000,
  invoiceId: `inv_${id}`,
  actor: 'user:usr_1',
})

export const order = (id: string, subscriberId: string, fields: Partial<Order> = {}): Order => ({
  id,
  subscriberId,
  item: { kind: 'balance', description: 'Balance' },
  amount: usd(1000),
  provider: 'stripe',
  status: 'awaiting_payment',
  createdAtMs: 1_700_000_200_000,
  actor: `subscriber:${subscriberId}`,
  ...fields,
})

export const notification = (id: string, subscriberId?: string): Notification => ({
  id,
  event: 'usage.threshold',
  subscriberId,
  vars: { used: '4.5 GB' },
  data: { usedBytes: 4_500_000_000, percent: 80 },
  createdAtMs: 1_700_000_300_000,
})

export const delivery = (id: string, fields: Partial<Delivery> = {}): Delivery => ({
  id,
  notificationId: 'usage.threshold/sub_1/80',
  event: 'usage.threshold',
  subscriberId: 'sub_1',
  channel: 'email',
  to: 'sub_1@example.net',
  status: 'queued' satisfies DeliveryStatus,
  attempts: 0,
  nextAttemptAtMs: 1_700_000_300_000,
  giveUpAtMs: 1_700_100_000_000,
  createdAtMs: 1_700_000_300_000,
  ...fields,
})

export const usageDay = (subscriberId: string, day: string, down = 1000): UsageDay => ({
  id: `${subscriberId}/${day}`,
  subscriberId,
  day,
  down,
  up: down / 10,
  hourDown: [down],
  hourUp: [down / 10],
})

export const usageMonth = (subscriberId: string, month: string): UsageMonth => ({
  id: `${subscriberId}/${month}`,
  subscriberId,
  month,
  down: [1, 2, 3],
  up: [0, 0, 1],
})

export const auditEntry = (id: string, atMs: number, fields: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  atMs,
  actor: 'user:usr_1',
  action: 'topup.create',
  entity: 'subscriber',
  entityId: 'sub_1',
  data: { bytes: 5_000_000_000 },
  ...fields,
})

export const idempotencyRecord = (scope: string, createdAtMs: number): IdempotencyRecord => ({
  scope,
  requestHash: `req-${scope}`,
  status: 201,
  body: { id: `top_${createdAtMs}`, ok: true },
  createdAtMs,
})
