/** Billing periods: from local midnight on the billing day of one month to the same point in the next month. */
import { z } from 'zod'
import { assertTimeZone, daysInMonth, localDateTime, startOfLocalDay } from './zoned-time.js'

/**
 * The day of the month a period starts on. Days 29–31 are clamped to the month's last day, so 31
 * behaves exactly like 'last'; 30 gives Feb 28/29 but Mar 30.
 */
const BILLING_DAY = 'billing day must be an integer from 1 to 31 or "last"'
export const BillingDay = z.union(
  [
    z.number().int({ error: BILLING_DAY }).min(1, { error: BILLING_DAY }).max(31, { error: BILLING_DAY }),
    z.literal('last'),
  ],
  { error: BILLING_DAY },
)
export type BillingDay = z.infer<typeof BillingDay>

/** A half-open interval of UTC milliseconds: startMs is in the period, endMs is not. */
export interface BillingPeriod {
  startMs: number
  endMs: number
}

const MIN_MS = Date.UTC(1970, 0, 1)
const MAX_MS = Date.UTC(9999, 0, 1)

/** The billing period containing `atMs`, with days counted in `timeZone`. */
export function billingPeriod(atMs: number, billingDay: BillingDay, timeZone: string): BillingPeriod {
  if (!Number.isInteger(atMs) || atMs < MIN_MS || atMs >= MAX_MS) {
    throw new RangeError(`atMs must be an integer UTC millisecond timestamp from 1970 to 9998, got ${atMs}`)
  }
  checkBillingDay(billingDay)
  assertTimeZone(timeZone)
  // The period holding `atMs` is one for its day and zone: the last one found answers every
  // instant inside it without Intl (booking a batch asks thousands of times for the same period).
  const key = `${billingDay}/${timeZone}`
  const last = lastPeriods.get(key)
  if (last && last.startMs <= atMs && atMs < last.endMs) return { startMs: last.startMs, endMs: last.endMs }
  const found = computePeriod(atMs, billingDay, timeZone)
  if (lastPeriods.size >= LAST_PERIODS_MAX) lastPeriods.clear()
  lastPeriods.set(key, found)
  return { startMs: found.startMs, endMs: found.endMs }
}

/** The last period found per billing day and zone (32 days × the zones in use: a handful). */
const lastPeriods = new Map<string, BillingPeriod>()
const LAST_PERIODS_MAX = 1024

/** The same without the memo (tests compare the two). */
export function computePeriod(atMs: number, billingDay: BillingDay, timeZone: string): BillingPeriod {
  const local = localDateTime(atMs, timeZone)
  // Months counted from year 0, so stepping back from January is just `- 1`.
  let month = local.year * 12 + local.month - 1
  let startMs = startOfMonthIndex(month, billingDay, timeZone)
  // The local date picks the month to try; comparing instants decides, which stays right even
  // when a fall-back makes the local date run backwards for an hour.
  while (startMs > atMs) {
    month--
    startMs = startOfMonthIndex(month, billingDay, timeZone)
  }
  let endMs = startOfMonthIndex(month + 1, billingDay, timeZone)
  while (endMs <= atMs) {
    month++
    startMs = endMs
    endMs = startOfMonthIndex(month + 1, billingDay, timeZone)
  }
  return { startMs, endMs }
}

/** The UTC instant the billing period that begins in local `year-month` starts. */
export function periodStartInMonth(
  year: number,
  month: number,
  billingDay: BillingDay,
  timeZone: string,
): number {
  checkBillingDay(billingDay)
  const last = daysInMonth(year, month)
  const day = billingDay === 'last' ? last : Math.min(billingDay, last)
  return startOfLocalDay(year, month, day, timeZone)
}

function startOfMonthIndex(monthIndex: number, billingDay: BillingDay, timeZone: string): number {
  return periodStartInMonth(Math.floor(monthIndex / 12), (monthIndex % 12) + 1, billingDay, timeZone)
}

function checkBillingDay(billingDay: BillingDay): void {
  if (!BillingDay.safeParse(billingDay).success) {
    throw new RangeError(`${BILLING_DAY}, got ${JSON.stringify(billingDay)}`)
  }
}
