/** The shape of the store's JSON document, and a fresh one. */
import type {
  Agent,
  ApiToken,
  AuditEntry,
  Delivery,
  IdempotencyRecord,
  Invoice,
  LedgerEntry,
  Notification,
  OperatorSession,
  Order,
  Payment,
  PaymentEvent,
  Plan,
  PortalSession,
  StoreSetting,
  Subscriber,
  TopUp,
  TopUpPlan,
  UsageAnomaly,
  UsageMark,
  UsagePeriod,
  User,
  WebhookEndpoint,
} from './entities.js'
import type { UsageDay, UsageMonth } from './usage-history-entities.js'

export const DATA_FORMAT = 'capd-store'
export const DATA_VERSION = 1

export interface Data {
  format: typeof DATA_FORMAT
  version: number
  plans: Record<string, Plan>
  topUpPlans: Record<string, TopUpPlan>
  agents: Record<string, Agent>
  subscribers: Record<string, Subscriber>
  topUps: Record<string, TopUp>
  invoices: Record<string, Invoice>
  payments: Record<string, Payment>
  orders: Record<string, Order>
  paymentEvents: Record<string, PaymentEvent>
  notifications: Record<string, Notification>
  deliveries: Record<string, Delivery>
  webhookEndpoints: Record<string, WebhookEndpoint>
  usageMarks: Record<string, UsageMark>
  usagePeriods: Record<string, UsagePeriod>
  usageAnomalies: Record<string, UsageAnomaly>
  /** Usage history per subscriber and local day (see usage-history-entities.ts). */
  usageDays: Record<string, UsageDay>
  usageMonths: Record<string, UsageMonth>
  ledger: Record<string, LedgerEntry>
  apiTokens: Record<string, ApiToken>
  users: Record<string, User>
  portalSessions: Record<string, PortalSession>
  operatorSessions: Record<string, OperatorSession>
  audit: AuditEntry[]
  /** Facts about the store itself (its currency); absent in documents written before = none recorded. */
  settings: Record<string, StoreSetting>
  /** In insertion (= age) order, so pruning stops at the first young record. */
  idempotency: Record<string, IdempotencyRecord>
  sequences: Record<string, number>
  /** The last write-ahead-log version this document holds (snapshots only). */
  committedVersion?: number
}

export function emptyData(): Data {
  return {
    format: DATA_FORMAT,
    version: DATA_VERSION,
    plans: {},
    topUpPlans: {},
    agents: {},
    subscribers: {},
    topUps: {},
    invoices: {},
    payments: {},
    orders: {},
    paymentEvents: {},
    notifications: {},
    deliveries: {},
    webhookEndpoints: {},
    usageMarks: {},
    usagePeriods: {},
    usageAnomalies: {},
    usageDays: {},
    usageMonths: {},
    ledger: {},
    apiTokens: {},
    users: {},
    portalSessions: {},
    operatorSessions: {},
    audit: [],
    settings: {},
    idempotency: {},
    sequences: {},
  }
}

/** Checks a document read from disk is ours and of a version this build understands. */
export function checkData(doc: unknown, source: string): Data {
  const d = doc as Partial<Data> | null
  if (!d || typeof d !== 'object' || d.format !== DATA_FORMAT) {
    throw new Error(`${source} is not a capd store (no "format": "${DATA_FORMAT}")`)
  }
  if (d.version !== DATA_VERSION) {
    throw new Error(`${source} has store version ${d.version}; this controller reads version ${DATA_VERSION}`)
  }
  upgradeVersion1(d)
  const fresh = emptyData()
  for (const key of Object.keys(fresh) as (keyof Data)[]) {
    if (d[key] === undefined) throw new Error(`${source} is missing "${key}"`)
  }
  return d as Data
}

/**
 * Agent sync added two tables, the customer portal and the operator UI one each (`portalSessions`, `operatorSessions`), the store its `settings` and `usageAnomalies`, payments their `orders` and `paymentEvents`, notifications their `notifications`, `deliveries` and `webhookEndpoints`, usage history its `usageDays` and `usageMonths`, and optional fields
 * (a subscriber's `limitVersion`, `formerAgentIds` and `moves`, an agent's `epoch` and `retiredEpochs`, an auto top-up's `thresholdBytes`) to version 1
 * without bumping it: each has a neutral default (no marks, no past usage, no sessions, version 0,
 * never moved, threshold 0),
 * so a document written before means exactly what
 * it meant, and none is in production yet. A change to the meaning of an existing field must
 * bump DATA_VERSION and migrate here instead.
 */
function upgradeVersion1(d: Partial<Data>): void {
  d.usageMarks ??= {}
  d.usagePeriods ??= {}
  d.portalSessions ??= {}
  d.operatorSessions ??= {}
  d.settings ??= {}
  d.usageAnomalies ??= {}
  d.orders ??= {}
  d.paymentEvents ??= {}
  d.notifications ??= {}
  d.deliveries ??= {}
  d.webhookEndpoints ??= {}
  d.usageDays ??= {}
  d.usageMonths ??= {}
}
