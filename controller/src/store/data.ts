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
/** Version 2: every table present, and the store lists the format upgrades it went through. */
export const DATA_VERSION = 2

/** One format upgrade `capd migrate` applied to this store. */
export interface StoreMigration {
  readonly from: number
  readonly to: number
  readonly atMs: number
  /** The capd release that applied it. */
  readonly capdVersion: string
}

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
  /** The format upgrades this store went through, oldest first (none for a store created at this version). */
  migrations: StoreMigration[]
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
    migrations: [],
  }
}

/** A document that is not a store this build can open as it is: foreign, too old (migrate it) or too new. */
export class StoreFormatError extends Error {
  override readonly name = 'StoreFormatError'
}

/**
 * Checks a document read from disk is ours and of exactly this build's version: an older one must
 * be upgraded with `capd migrate` first (never silently, so the release that wrote it can still
 * read it until the operator chooses to move on), and a newer one is never downgraded.
 */
export function checkData(doc: unknown, source: string): Data {
  const d = checkFormat(doc, source)
  if (d.version < DATA_VERSION) {
    throw new StoreFormatError(
      `${source} has store version ${d.version}, older than this capd's ${DATA_VERSION}. ` +
        'Take a backup (capd backup), then upgrade the data dir with `capd migrate --data DIR` before starting.',
    )
  }
  const fresh = emptyData()
  for (const key of Object.keys(fresh) as (keyof Data)[]) {
    if (d[key] === undefined) throw new StoreFormatError(`${source} is missing "${key}"`)
  }
  return d as Data
}

/**
 * Checks a document is a capd store whose version this build can read or upgrade; a version above
 * DATA_VERSION was written by a later capd and is refused, naming both versions.
 */
export function checkFormat(doc: unknown, source: string): Partial<Data> & { version: number } {
  const d = doc as Partial<Data> | null
  if (!d || typeof d !== 'object' || d.format !== DATA_FORMAT) {
    throw new StoreFormatError(`${source} is not a capd store (no "format": "${DATA_FORMAT}")`)
  }
  if (!Number.isSafeInteger(d.version) || (d.version as number) < 1) {
    throw new StoreFormatError(`${source} has no valid store version (found ${JSON.stringify(d.version)})`)
  }
  if ((d.version as number) > DATA_VERSION) {
    throw new StoreFormatError(
      `${source} has store version ${d.version}, newer than this capd's ${DATA_VERSION}: a later release wrote it, ` +
        'and capd never downgrades a store. Run that release again, or restore a backup taken with this one.',
    )
  }
  return d as Partial<Data> & { version: number }
}
