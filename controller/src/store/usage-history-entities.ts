/** Usage history rows: one per subscriber and local day with usage, hours kept while recent. */

/**
 * A subscriber's counted usage (down/up as the agent measured them, drawn or not) on one local day
 * of the ISP's time zone. Written only on days with usage. `hourDown`/`hourUp` hold one value per
 * elapsed hour since the day's start (23 or 25 on DST days); the retention job drops them after
 * the hourly retention, keeping the day's totals.
 */
export interface UsageDay {
  /** `<subscriberId>/<YYYY-MM-DD>` (see usageDayId). */
  readonly id: string
  readonly subscriberId: string
  /** The local calendar day, `YYYY-MM-DD`. */
  readonly day: string
  readonly down: number
  readonly up: number
  readonly hourDown?: readonly number[]
  readonly hourUp?: readonly number[]
}

export const usageDayId = (subscriberId: string, day: string): string => `${subscriberId}/${day}`
