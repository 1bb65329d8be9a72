/**
 * How a plan's allowance is shaped and how a period's allowance is drawn: buckets (the plan's cap,
 * each top-up, rolled-over data), the direction that counts, what happens at the cap, free hours,
 * and auto top-up's guardrails. See domain/allowance*.ts for the rules.
 */
import type { CountDirection, FreeWindowMs } from '@capd/protocol'

export type { CountDirection }

/** Which bucket usage is drawn from first (rolled-over data always goes before both). */
export type DrawOrder = 'plan_first' | 'topups_first'

/** What happens when the allowance is used up. */
export type CapAction =
  | { readonly kind: 'block' }
  /** A fixed rate, both directions. */
  | { readonly kind: 'throttle_kbps'; readonly kbps: number }
  /** A percentage (1–99) of the plan's normal rate (`rateDownKbps` / `rateUpKbps`). */
  | { readonly kind: 'throttle_percent'; readonly percent: number }

/** Unused data that moves into the next period. */
export interface RolloverRule {
  /** Unused plan data rolls over. */
  readonly plan: boolean
  /** Unused top-up data still valid at the period's end rolls over. */
  readonly topUps: boolean
  /** Most bytes rolled into one period; absent = the plan's cap. */
  readonly maxBytes?: number
  /** Rolled-over data lasts this many periods (1 = the period it rolls into only). */
  readonly periods: number
}

/** A daily window in the ISP's time zone, `HH:MM` to `HH:MM`; `to` before `from` spans midnight. */
export interface FreeHours {
  readonly from: string
  readonly to: string
}

/** Rolled-over data: a bucket of its own, drawn before the plan's and the top-ups'. */
export interface RolloverBucket {
  /** `ro-<period start ms it came from>`. */
  readonly id: string
  readonly fromPeriodStartMs: number
  readonly sizeBytes: number
  readonly expiresAtMs: number
  /**
   * The unused data of its period before the cap (absent = sizeBytes): usage of that period
   * booked late shrinks this, and the bucket never exceeds it.
   */
  readonly unusedBytes?: number
}

/**
 * The current period's draws, kept on the subscriber and moved to its UsagePeriod row when the
 * period ends. Σ drawn + overBytes = the subscriber's usedBytes.
 */
export interface Allowance {
  readonly periodStartMs: number
  /** Bytes drawn per bucket: `plan`, a rollover bucket's id, or a top-up's id. */
  readonly drawn: Readonly<Record<string, number>>
  readonly rollover: readonly RolloverBucket[]
  /** Usage drawn from no bucket: past every bucket (throttled over the cap, packets between polls). */
  readonly overBytes: number
  /**
   * Over-usage a later top-up did not compensate: added to the enforced limit so the new data
   * starts whole. Grows only when a top-up is applied.
   */
  readonly forgivenBytes: number
  /** Usage inside free hours: counted and shown, drawn from nothing. */
  readonly freeBytes: number
}

/** One bucket as shown (API, operator page, portal). */
export interface BucketView {
  readonly id: string
  readonly kind: 'plan' | 'topup' | 'rollover'
  readonly label: string
  readonly sizeBytes: number
  readonly usedBytes: number
  readonly leftBytes: number
  readonly validFromMs: number
  readonly validUntilMs: number
  /** Expired (its unused part is lost) or reversed. */
  readonly expired: boolean
  readonly topUpId?: string
}

/** The limit terms' part the agent needs to count and enforce like the controller books. */
export interface DrawTerms {
  readonly count?: CountDirection
  readonly freeWindows?: readonly FreeWindowMs[]
}

/** Auto top-up's trigger: remaining bytes, or a percentage of the last top-up's size. */
export type AutoTopUpTrigger =
  | { readonly kind: 'bytes'; readonly bytes: number }
  | { readonly kind: 'percent_of_last'; readonly percent: number }
