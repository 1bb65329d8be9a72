/**
 * Usage history rows: one per subscriber and local day with usage while its hours are kept, then
 * folded into one row per subscriber and local month holding the day totals (see
 * usage-history-retention.ts). Both hold counted bytes, down and up as measured, drawn or not.
 */

/**
 * A subscriber's usage on one local day of the ISP's zone, written only on days with usage.
 * `hourDown`/`hourUp` hold one value per elapsed hour since the day's start (23 or 25 on DST days).
 */
export interface UsageDay {
  /** `<subscriberId>/<YYYY-MM-DD>` (see usageDayId). */
  readonly id: string
  readonly subscriberId: string
  /** The local calendar day, `YYYY-MM-DD`. */
  readonly day: string
  readonly down: number
  readonly up: number
  readonly hourDown: readonly number[]
  readonly hourUp: readonly number[]
}

/** Day totals of one local month, once the days' hours are no longer kept: index 0 is the 1st. */
export interface UsageMonth {
  /** `<subscriberId>/<YYYY-MM>` (see usageMonthId). */
  readonly id: string
  readonly subscriberId: string
  /** `YYYY-MM` */
  readonly month: string
  /** One entry per day of the month. */
  readonly down: readonly number[]
  readonly up: readonly number[]
}

export const usageDayId = (subscriberId: string, day: string): string => `${subscriberId}/${day}`
export const usageMonthId = (subscriberId: string, month: string): string => `${subscriberId}/${month}`
