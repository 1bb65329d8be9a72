/** The records the controller keeps. Rows are immutable: a change writes a new row. */
import type { Money, RuleProblem } from '@capd/protocol'
import type { Role } from '../auth/roles.js'
import type {
  Allowance,
  AutoTopUpTrigger,
  CapAction,
  CountDirection,
  DrawOrder,
  FreeHours,
  RolloverRule,
} from './allowance-entities.js'
import type { TaxRule } from './billing-entities.js'
import type { AlertChoices } from './notification-entities.js'

export * from './allowance-entities.js'
export * from './billing-entities.js'
export * from './notification-entities.js'

export type OnCap = 'block' | 'throttle'
export type EnforcementState = 'open' | 'blocked' | 'throttled'
export type BillingDay = number | 'last'

export interface Plan {
  readonly id: string
  readonly name: string
  readonly capBytes: number
  readonly onCap: OnCap
  readonly throttleKbps?: number
  /**
   * Usage alerts at these percentages of the allowance (integers 1–100, ascending; 100 = the cap
   * itself). Absent = DEFAULT_NOTIFY_AT_PERCENT; empty = none.
   */
  readonly notifyAtPercent?: readonly number[]
  /**
   * What happens at the cap. Absent (older rows) = derived from `onCap`/`throttleKbps`, which are
   * kept in step with it for older readers.
   */
  readonly capAction?: CapAction
  /** The plan's normal rate, the base of a percentage throttle. */
  readonly rateDownKbps?: number
  readonly rateUpKbps?: number
  /** Which direction draws from the allowance; absent = both. */
  readonly count?: CountDirection
  /** Absent = the ISP's default (settings), itself plan first by default. */
  readonly drawOrder?: DrawOrder
  /** Absent = nothing rolls over. */
  readonly rollover?: RolloverRule
  /** Daily windows whose usage draws from nothing; absent or empty = none. */
  readonly freeHours?: readonly FreeHours[]
  readonly createdAtMs: number
  readonly retiredAtMs?: number
}

export interface TopUpPlan {
  readonly id: string
  readonly name: string
  readonly bytes: number
  readonly price: Money
  /** Days of validity from purchase; absent = to the end of the billing period. */
  readonly validityDays?: number
  /** Tax on its price; absent = untaxed. */
  readonly tax?: TaxRule
  readonly createdAtMs: number
  readonly retiredAtMs?: number
}

export interface Agent {
  readonly id: string
  readonly name: string
  readonly tokenHash: string
  readonly createdAtMs: number
  readonly lastSeenAtMs?: number
  readonly revokedAtMs?: number
  /** What the agent said in its last hello. */
  readonly agentVersion?: string
  readonly driver?: string
  /** The journal epoch of its last hello: the one it is using now. */
  readonly epoch?: string
  /** Epochs whose usage marks were pruned (newest last, bounded): their usage is never booked again. */
  readonly retiredEpochs?: readonly string[]
  /** Rules the agent skipped at its router on its current connection, as it last reported them. */
  readonly problems?: readonly RuleProblem[]
  readonly problemsAtMs?: number
  /** Problems beyond the listed ones, counted by the agent. */
  readonly problemsOmitted?: number
}

export interface AutoTopUp {
  readonly enabled: boolean
  readonly topUpPlanId: string
  /** How many auto top-ups at most in one billing period. */
  readonly maxPerPeriod: number
  /** Top up once the remaining bytes are at most this (0 = at the cap); absent in old documents = 0. */
  readonly thresholdBytes?: number
  /** Whether the customer may change these settings in the portal (the operator decides). */
  readonly customerMayChange?: boolean
  /** Supersedes `thresholdBytes` when present. */
  readonly trigger?: AutoTopUpTrigger
  /** Shortest time between two auto top-ups; absent = 5 minutes. */
  readonly minIntervalMs?: number
  /** Most money charged by auto top-ups in one period (minor units, store currency); absent = no cap. */
  readonly spendCapPerPeriod?: number
  /** Over-usage past the cap is drawn from the new top-up (absent = true, as before). */
  readonly compensateOverUsage?: boolean
  /** Charged to the balance (default) or put on the next invoice. */
  readonly chargeTo?: 'balance' | 'invoice'
  /** Invoice line description: `{size}`, `{plan}`, `{subscriber}`; absent = the top-up plan's name. */
  readonly descriptionTemplate?: string
}

/** What a subscriber's `limitVersion` describes: everything the agent needs to enforce the period. */
export interface LimitTerms {
  readonly periodStartMs: number
  readonly periodEndMs: number
  readonly limitBytes: number
  readonly onCap: OnCap
  readonly throttleKbps?: number
  readonly throttleUpKbps?: number
  readonly count?: CountDirection
  /** Free-hour windows of the period (absolute). */
  readonly freeWindows?: readonly { readonly startMs: number; readonly endMs: number }[]
  /** Absent: the subscriber is known by its login (see `Subscriber.address`). */
  readonly address?: string
  /** The subscriber is suspended: the terms block (limit 0) whatever the allowance. */
  readonly suspended?: true
}

/** Why and since when an operator suspended a subscriber (see domain/suspension.ts). */
export interface Suspension {
  readonly reason: string
  readonly atMs: number
  readonly actor: string
}

/** Why the last auto top-up was not applied; kept so a decline is audited once, not on every report. */
export interface AutoTopUpDecline {
  readonly periodStartMs: number
  readonly reason:
    | 'insufficient_balance'
    | 'max_per_period'
    | 'plan_unavailable'
    | 'spend_cap'
    | 'min_interval'
  readonly atMs?: number
  /** 'min_interval': when the interval ends and the rule runs again by itself. */
  readonly retryAtMs?: number
}

export interface Subscriber {
  readonly id: string
  readonly name: string
  readonly login: string
  readonly passwordHash?: string
  readonly email?: string
  /** E.164: `+` and 8–15 digits. */
  readonly phone?: string
  /** Free text, may span lines. */
  readonly postalAddress?: string
  /** The operators' own notes: never shown to the customer. */
  readonly notes?: string
  readonly planId: string
  readonly agentId: string
  /**
   * Canonical IPv4/IPv6 address or prefix (`10.0.0.5`, `2001:db8::/64`). Absent: known by `login`
   * (PPPoE, hotspot, RADIUS: the address changes at each login and the agent learns it from the
   * router's sessions).
   */
  readonly address?: string
  readonly billingDay: BillingDay
  readonly balance: Money
  readonly autoTopUp?: AutoTopUp
  readonly createdAtMs: number
  /** Usage booked in the period that starts at `usagePeriodStartMs`; an older period means 0 now. */
  readonly usedBytes: number
  readonly usagePeriodStartMs: number
  /** What the agent last reported it enforces. */
  readonly state: EnforcementState
  /**
   * Bumped whenever `limitTerms` change (top-up, expiry, period roll-over, plan) or the subscriber
   * moves to another agent: pushes carry it, so an agent ignores a stale or replayed one. Never goes
   * down. Absent (older rows) = 0.
   */
  readonly limitVersion?: number
  /** The terms `limitVersion` stands for; absent until first computed. */
  readonly limitTerms?: LimitTerms
  readonly autoTopUpDeclined?: AutoTopUpDecline
  /** The `limitVersion` the agent last reported it enforces (see `state`). */
  readonly appliedLimitVersion?: number
  /** Usage per day of the current period (day 0 = the period's first day), for the usage chart. */
  readonly dailyUsage?: DailyUsage
  /** The current period's draws from its buckets; absent until first booked (older rows). */
  readonly allowance?: Allowance
  /** Recent rate of drawn usage (exponentially weighted), for the run-out projection. */
  readonly recentRate?: RecentRate
  /**
   * Agents that enforced this subscriber before it moved to `agentId`: usage one of them journalled
   * before it learned of the move is still booked (the customer used it). Absent = never moved.
   */
  readonly formerAgentIds?: readonly string[]
  /**
   * The moves away from an agent (newest last, bounded): late usage of that agent is booked only
   * for an epoch it had then, and only what it journalled before it dropped the subscriber (see
   * usage-admission.ts).
   */
  readonly moves?: readonly AgentMove[]
  /** Set while suspended: blocked whatever the allowance, no portal or auto top-ups. */
  readonly suspension?: Suspension
  /**
   * When an operator deleted the subscriber: gone from its agent, the portal, lists and address
   * checks; its books stay. Absent = live.
   */
  readonly deletedAtMs?: number
  /** When its personal data was erased, a retention period after deletion (see subscriber-erasure.ts). */
  readonly erasedAtMs?: number
  /** How the customer wants to hear (absent = DEFAULT_ALERT_CHOICES). */
  readonly alerts?: AlertChoices
}

export interface AgentMove {
  readonly fromAgentId: string
  readonly atMs: number
  /** The epochs the agent had used by then (its usage marks and its last hello's). */
  readonly epochs: readonly string[]
  /** When the controller first sent that agent a sync without the subscriber (see move-bounds.ts). */
  readonly excludedAtMs?: number
  /**
   * The agent said it applied such a sync: no entry of it for the subscriber has a seq above `seq`
   * in `epoch` (the epoch of the connection that said so).
   */
  readonly bound?: MoveBound
}

export interface MoveBound {
  readonly epoch: string
  readonly seq: number
}

/** Why usage an agent reported was acked without being booked. */
export type UsageAnomalyReason =
  | 'unknown_subscriber'
  | 'foreign_subscriber'
  | 'moved_away'
  | 'epoch_limit'
  | 'epoch_retired'
  /** Acked into the usage journal, then refused by the books (see domain/usage-fold.ts). */
  | 'not_bookable'

/**
 * Usage acked but not booked, summed per agent, reason and subscriber, for operators to look into.
 * `subscriberId` is `*` for the overflow row once an agent has many (see usage-anomalies.ts).
 */
export interface UsageAnomaly {
  /** `<agentId>/<reason>/<subscriberId>` */
  readonly id: string
  readonly agentId: string
  readonly subscriberId: string
  readonly reason: UsageAnomalyReason
  readonly entries: number
  readonly bytes: number
  readonly firstAtMs: number
  readonly lastAtMs: number
  readonly lastEpoch: string
}

export interface RecentRate {
  readonly bytesPerSecond: number
  /** The last usage folded in. */
  readonly atMs: number
}

export interface DailyUsage {
  readonly periodStartMs: number
  readonly bytes: readonly number[]
}

/**
 * The highest usage seq of one agent journal epoch that is booked, committed with the usage it
 * covers. Kept per epoch (not only the latest), so a late batch of an older epoch is still
 * recognised as already booked instead of restarting that epoch's count.
 */
export interface UsageMark {
  /** `<agentId>/<epoch>` (see usageMarkId). */
  readonly id: string
  readonly agentId: string
  readonly epoch: string
  readonly seq: number
  readonly updatedAtMs: number
}

/** Usage booked for a billing period that is no longer the subscriber's current one. */
export interface UsagePeriod {
  /** `<subscriberId>/<period start ISO>` (see usagePeriodId). */
  readonly id: string
  readonly subscriberId: string
  readonly periodStartMs: number
  readonly usedBytes: number
  /** The period's draws per bucket, as they stood when it ended (absent on older rows). */
  readonly allowance?: Allowance
}

export const usageMarkId = (agentId: string, epoch: string) => `${agentId}/${epoch}`

export const usagePeriodId = (subscriberId: string, periodStartMs: number) =>
  `${subscriberId}/${new Date(periodStartMs).toISOString()}`

export type TopUpSource = 'operator' | 'auto' | 'portal'
/** `order`: paid before it was applied, through an order (card, mobile money, office). */
export type ChargeTo = OperatorChargeTo | 'order'
/** What an operator chooses for a top-up they sell: an open invoice, or the account balance now. */
export type OperatorChargeTo = 'invoice' | 'balance'

export interface TopUp {
  readonly id: string
  readonly subscriberId: string
  readonly bytes: number
  readonly price: Money
  readonly source: TopUpSource
  readonly chargeTo: ChargeTo
  readonly topUpPlanId?: string
  readonly createdAtMs: number
  /** Start of the billing period the top-up was bought in: it adds to that period's limit. */
  readonly periodStartMs: number
  readonly expiresAtMs: number
  readonly invoiceId: string
  readonly orderId?: string
  /** An operator reversed it (a mistaken top-up): its bytes no longer count, its invoice is credited. */
  readonly reversedAtMs?: number
  readonly actor: string
}

export interface ApiToken {
  readonly id: string
  readonly name: string
  readonly role: 'admin'
  /** Hex SHA-256 of the whole token; tokens are random, so a fast hash is enough. */
  readonly hash: string
  readonly createdAtMs: number
  readonly revokedAtMs?: number
}

/** A staff account: an operator UI login with a role. Rows are never deleted (audit entries name them). */
export interface User {
  readonly id: string
  /** The login; unique, and never reused (a disabled account keeps it). */
  readonly username: string
  /** The person's name; absent in older rows (the login stands in). */
  readonly name?: string
  readonly role: Role
  readonly passwordHash: string
  readonly createdAtMs: number
  /** Absent in older rows. */
  readonly passwordChangedAtMs?: number
  /** A disabled account cannot log in, and its sessions end at once. */
  readonly disabledAtMs?: number
}

/**
 * A browser login. The cookie holds 256 random bits; only their SHA-256 is kept, as the id, so a
 * copy of the store cannot be used to log in. Ended sessions stay, marked, until pruned.
 */
export interface SessionRow {
  /** Hex SHA-256 of the session cookie's value. */
  readonly id: string
  /** Sent back with every state-changing request; useless without the cookie. */
  readonly csrfToken: string
  readonly createdAtMs: number
  /** Renewed as the session is used (coarsely); idle past the idle limit ends the session. */
  readonly lastSeenAtMs: number
  /** The hard end, whatever the use. */
  readonly expiresAtMs: number
  readonly endedAtMs?: number
}

/** A customer's portal login. */
export interface PortalSession extends SessionRow {
  readonly subscriberId: string
}

/** An operator's UI login. */
export interface OperatorSession extends SessionRow {
  readonly userId: string
}

export interface AuditEntry {
  readonly id: string
  readonly atMs: number
  readonly actor: string
  readonly action: string
  readonly entity: string
  readonly entityId: string
  readonly data?: unknown
}

/** A fact about the store itself, fixed when it was first started (such as its currency). */
export interface StoreSetting {
  /** The setting's name: `currency`. */
  readonly id: string
  readonly value: string
  readonly setAtMs: number
}

export interface IdempotencyRecord {
  /** `<actor>|<key>`: keys are private to whoever sent them; the request hash covers the route. */
  readonly scope: string
  readonly requestHash: string
  readonly status: number
  readonly body: unknown
  readonly createdAtMs: number
}

export const usageAnomalyId = (agentId: string, reason: UsageAnomalyReason, subscriberId: string) =>
  `${agentId}/${reason}/${subscriberId}`
