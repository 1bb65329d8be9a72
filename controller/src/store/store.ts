/** The repository interface the domain depends on; the lowdb and (later) PostgreSQL stores implement it. */

import type { IpPrefix, UsageEntry } from '@capd/protocol'
import type { AgentPresence } from './agent-presence.js'
import type { AuditQuery } from './audit-find.js'
import type { Commit } from './commit-notes.js'
import type {
  Agent,
  ApiToken,
  AuditEntry,
  Channel,
  Delivery,
  DeliveryStatus,
  EnforcementState,
  IdempotencyRecord,
  Invoice,
  LedgerEntry,
  Notification,
  NotificationEvent,
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

export interface Table<T extends { id: string }> {
  get(id: string): Promise<T | undefined>
  /** All rows in id (= creation) order. */
  list(): Promise<T[]>
  insert(row: T): Promise<void>
  /**
   * Inserts a row whose id newId has just made, so no row can hold it: the store may leave the
   * duplicate check to the database at commit rather than look the id up first.
   */
  insertNew(row: T): Promise<void>
  /** Replaces the row with the same id; it must exist. */
  update(row: T): Promise<void>
}

/** A table whose rows may be forgotten (records with an end, such as sessions). */
export interface PrunableTable<T extends { id: string }> extends Table<T> {
  delete(id: string): Promise<void>
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface SubscriberQuery {
  /** Case-insensitive substring of name, login, email or address. */
  q?: string
  state?: EnforcementState
  agentId?: string
  /** Only deleted subscribers (true), or only live ones (absent or false). */
  deleted?: boolean
  /** Return rows with id greater than this. */
  after?: string
  limit: number
}

export interface DeliveryQuery {
  status?: DeliveryStatus
  channel?: Channel
  event?: NotificationEvent
  subscriberId?: string
  /** Newest first: return rows with id less than this. */
  before?: string
  limit: number
}

export interface Tx {
  readonly plans: Table<Plan>
  readonly topUpPlans: Table<TopUpPlan>
  readonly agents: Table<Agent> & { byTokenHash(hash: string): Promise<Agent | undefined> }
  readonly subscribers: Table<Subscriber> & {
    byLogin(login: string): Promise<Subscriber | undefined>
    /** All subscribers an agent enforces, in id order. */
    forAgent(agentId: string): Promise<Subscriber[]>
    /** Subscribers that were on the agent once (`formerAgentIds` names it), deleted or not, in id order. */
    movedFrom(agentId: string): Promise<Subscriber[]>
    /** A subscriber on the agent (not `exceptId`) whose address overlaps `prefix`, if any. */
    overlappingAddress(agentId: string, prefix: IpPrefix, exceptId?: string): Promise<Subscriber | undefined>
    find(query: SubscriberQuery): Promise<Page<Subscriber>>
  }
  readonly topUps: Table<TopUp> & { forSubscriber(subscriberId: string): Promise<TopUp[]> }
  readonly invoices: Table<Invoice> & { forSubscriber(subscriberId: string): Promise<Invoice[]> }
  readonly payments: Table<Payment> & { forSubscriber(subscriberId: string): Promise<Payment[]> }
  readonly orders: Table<Order> & {
    forSubscriber(subscriberId: string): Promise<Order[]>
    /** The order a provider's handle (Checkout Session id, CheckoutRequestID) belongs to. */
    byProviderRef(provider: Order['provider'], ref: string): Promise<Order | undefined>
  }
  /** Provider notifications handled, by `<provider>:<event id>`, so a replay does nothing. */
  readonly paymentEvents: Table<PaymentEvent>
  /** Notifications decided, by their decision key (see notify/queue.ts): deciding one again does nothing. */
  readonly notifications: PrunableTable<Notification> & {
    forSubscriber(subscriberId: string): Promise<Notification[]>
  }
  /** The outbox: one message per channel and recipient of a notification. */
  readonly deliveries: PrunableTable<Delivery> & {
    /** Deliveries `queued` or `sending` whose `nextAttemptAtMs` has come, oldest first, at most `limit`. */
    due(nowMs: number, limit: number): Promise<Delivery[]>
    /** How many are `queued` or `sending` (the outbox backlog). */
    openCount(): Promise<number>
    forNotification(notificationId: string): Promise<Delivery[]>
    /** The delivery log: newest first, filtered, paged. */
    find(query: DeliveryQuery): Promise<Page<Delivery>>
  }
  readonly webhookEndpoints: PrunableTable<WebhookEndpoint>
  /** Usage high-water marks, one row per agent journal epoch; id from usageMarkId. */
  readonly usageMarks: PrunableTable<UsageMark> & {
    /** One agent's marks (by index: a batch reads its agent's marks, not every agent's). */
    forAgent(agentId: string): Promise<UsageMark[]>
  }
  /** Usage acked but not booked, per agent, reason and subscriber; id from usageAnomalyId. */
  readonly usageAnomalies: PrunableTable<UsageAnomaly> & {
    forAgent(agentId: string): Promise<UsageAnomaly[]>
  }
  /** Usage history with hours, one row per subscriber and recent local day with usage; id from usageDayId. */
  readonly usageDays: PrunableTable<UsageDay> & {
    /** The subscriber's days from `fromDay` to `toDay` (inclusive, `YYYY-MM-DD`), in day order. */
    forSubscriber(subscriberId: string, fromDay: string, toDay: string): Promise<UsageDay[]>
    /** Rows of days before `day`, at most `limit`. */
    before(day: string, limit: number): Promise<UsageDay[]>
  }
  /** Usage history's day totals, one row per subscriber and older local month; id from usageMonthId. */
  readonly usageMonths: PrunableTable<UsageMonth> & {
    /** The subscriber's months from `fromMonth` to `toMonth` (inclusive, `YYYY-MM`), in month order. */
    forSubscriber(subscriberId: string, fromMonth: string, toMonth: string): Promise<UsageMonth[]>
    /** Rows of months before `month`, at most `limit`. */
    before(month: string, limit: number): Promise<UsageMonth[]>
  }
  /** Usage of past periods; id from usagePeriodId. */
  readonly usagePeriods: Table<UsagePeriod> & { forSubscriber(subscriberId: string): Promise<UsagePeriod[]> }
  readonly ledger: Table<LedgerEntry> & { forSubscriber(subscriberId: string): Promise<LedgerEntry[]> }
  readonly apiTokens: Table<ApiToken> & { byHash(hash: string): Promise<ApiToken | undefined> }
  readonly users: Table<User> & { byUsername(username: string): Promise<User | undefined> }
  /** Customer portal sessions, keyed by the hash of the cookie value. */
  readonly portalSessions: PrunableTable<PortalSession>
  /** Operator UI sessions, keyed the same way. */
  readonly operatorSessions: PrunableTable<OperatorSession>
  /** Facts about the store itself, by name (see StoreSetting). */
  readonly settings: Table<StoreSetting>
  readonly audit: {
    append(entry: AuditEntry): Promise<void>
    list(limit: number): Promise<AuditEntry[]>
    find(query: AuditQuery): Promise<Page<AuditEntry>>
    /** Forgets entries made before `beforeMs` (entries are in time order). */
    prune(beforeMs: number): Promise<void>
  }
  readonly idempotency: {
    get(scope: string): Promise<IdempotencyRecord | undefined>
    put(record: IdempotencyRecord): Promise<void>
    /** Forgets records created before `beforeMs`. */
    prune(beforeMs: number): Promise<void>
  }
  /**
   * Usage accepted (under the agent's mark, acked) and not yet booked: a store that pays per
   * transaction journals a batch and books it after the ack (see domain/usage-fold.ts). A store
   * without it books every batch in the transaction that accepts it.
   */
  readonly usageJournal?: UsageJournal
  /** Gap-free sequence numbers (invoice numbers): rolled back with the transaction. */
  nextSequence(name: string): Promise<number>
  /**
   * Says which rows the transaction is about to read one at a time, so a store that reads over
   * the network fetches them in one round trip (usage ingest reads thousands). Only a hint: the
   * reads that follow answer the same either way. The embedded store has nothing to gain from it.
   */
  readAhead?(hint: ReadAhead): Promise<void>
  /**
   * Lets the event loop turn if this transaction has held it for a while (see LoopBreather); long
   * loops over many rows call it. The transaction stays isolated: the embedded store keeps its
   * lock meanwhile, PostgreSQL its snapshot.
   */
  breathe?(): Promise<void>
}

/** A batch in the usage journal: what an agent sent under an epoch, and its place in the journal. */
export interface JournalledUsage {
  /** Its place in the journal (journal order): what remove() takes. */
  readonly ord: string
  readonly agentId: string
  readonly epoch: string
  /** In seq order, none at or below the mark it was taken under. */
  readonly entries: readonly UsageEntry[]
}

export interface UsageJournal {
  append(agentId: string, epoch: string, entries: readonly UsageEntry[]): Promise<void>
  /**
   * The oldest batch and its agent's batches after it, in journal order, up to `maxEntries`
   * entries and `maxBatches` batches (at least one batch, however large).
   */
  pending(maxEntries: number, maxBatches: number): Promise<JournalledUsage[]>
  /** Takes these batches out; says how many it found (fewer: another transaction took some). */
  remove(ords: readonly string[]): Promise<number>
  /** Entries journalled. */
  count(): Promise<number>
}

export interface ReadAhead {
  readonly agents?: readonly string[]
  /** Usage marks by id (usageMarkId). */
  readonly usageMarks?: readonly string[]
  readonly subscribers?: readonly string[]
  /** Usage day rows by id (usageDayId). */
  readonly usageDays?: readonly string[]
  /** The top-ups of these subscribers (topUps.forSubscriber). */
  readonly topUpsOf?: readonly string[]
}

/** One durable write of a group commit: a log append (with its fsync) or a whole snapshot. */
export interface StoreWrite {
  kind: 'log' | 'snapshot'
  seconds: number
}

/** What a readiness probe needs to know, answered at once (without waiting for the store's lock). */
export interface StoreHealth {
  /** `failed`: a write failed for good, the store refuses every transaction; `closed`: close() was called. */
  state: 'open' | 'failed' | 'closed'
  /** How long the durable write in flight has been running, in ms (0 while none runs): a hung disk shows here. */
  writingMs: number
}

export interface Store {
  /**
   * Runs `fn` as one atomic unit against the store. If it throws, nothing it did is kept.
   * The promise resolves only once the outcome is durable, so a caller may acknowledge it.
   */
  transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * Reads a consistent view without waiting for pending writes to reach the disk. Only for reads
   * whose answer acknowledges nothing (such as finding the caller's token); `fn` must not write.
   */
  peek<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * Hands each durable commit's changes (the subscribers whose limits may have moved) to
   * `listener`, before that transaction's promise resolves: what a transaction changed is
   * collected by the store from its writes, never remembered by callers. Returns an unsubscribe.
   */
  onCommit(listener: (commit: Commit) => void): () => void
  /** Called when a write fails for good (the store then refuses every transaction); optional for stores that cannot. */
  onFailure?(listener: (err: Error) => void): void
  /** The store's state now, without queueing behind transactions (readiness probes). */
  health(): StoreHealth
  /** Told how long each durable write took (metrics); optional for stores that cannot say. */
  onWrite?(listener: (write: StoreWrite) => void): void
  /**
   * Takes the lock of a periodic job shared by every controller on the same data, so one runs it
   * at a time: a release function, or undefined while another holds it. A store only one
   * controller can open (the embedded one) leaves it out: always granted (see runJobOnce).
   */
  tryJobLock?(name: string): Promise<(() => Promise<void>) | undefined>
  /**
   * Agent connections shared by every controller on the same data. A store only one controller
   * can open leaves it out: the hub's own sessions are then the whole truth.
   */
  readonly agentPresence?: AgentPresence
  /**
   * How many usage entries of several agents one transaction may book together. A store that
   * pays per transaction (round trips, a commit, conflicts between concurrent ones) sets it; one
   * that pays per entry on the event loop (the embedded one) leaves it out: one batch each.
   */
  readonly usageEntriesPerTransaction?: number
  /** Whether its transactions have a usage journal (Tx.usageJournal): a controller then books it. */
  readonly journalsUsage?: boolean
  close(): Promise<void>
}
