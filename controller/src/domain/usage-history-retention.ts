/**
 * Keeping the usage history small: a day's row (with its hours) is folded into its month's row of
 * day totals after HOURLY_KEEP_DAYS; a month is forgotten once its last day is DAILY_KEEP_DAYS
 * old (so at least 13 months of days stay). Fixed, not the audit retention: the history is what
 * customers and operators look back on, like past periods. See bench/usage-history-size.ts.
 */
import { daysInMonth } from '@capd/protocol'
import type { Tx } from '../store/store.js'
import { type UsageDay, type UsageMonth, usageMonthId } from '../store/usage-history-entities.js'
import type { DomainEnv } from './env.js'
import { localDayAt, shiftDay } from './local-day.js'
import { addBytes } from './usage-book.js'

/** The longest billing period and a few days: any day of the current period keeps its hours. */
export const HOURLY_KEEP_DAYS = 35
export const DAILY_KEEP_DAYS = 400

/** How many rows one pass folds or forgets at most, so one transaction stays small; the next pass goes on. */
const BATCH = 20_000

export async function pruneUsageHistory(tx: Tx, env: DomainEnv): Promise<number> {
  const today = localDayAt(env.clock.now(), env.timeZone).day
  const folded = await tx.usageDays.before(shiftDay(today, -HOURLY_KEEP_DAYS), BATCH)
  for (const day of folded) {
    await foldIntoMonth(tx, day)
    await tx.usageDays.delete(day.id)
  }
  // A month goes once its last day is past the daily retention: the month before the cutoff's.
  const oldMonths = await tx.usageMonths.before(shiftDay(today, -DAILY_KEEP_DAYS).slice(0, 7), BATCH)
  for (const month of oldMonths) await tx.usageMonths.delete(month.id)
  return folded.length + oldMonths.length
}

async function foldIntoMonth(tx: Tx, day: UsageDay): Promise<void> {
  const month = day.day.slice(0, 7)
  const id = usageMonthId(day.subscriberId, month)
  const old = await tx.usageMonths.get(id)
  const length = daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)))
  const at = Number(day.day.slice(8, 10)) - 1
  const add = (values: readonly number[] | undefined, bytes: number) =>
    Array.from({ length }, (_, i) => addBytes(values?.[i] ?? 0, i === at ? bytes : 0))
  const row: UsageMonth = {
    id,
    subscriberId: day.subscriberId,
    month,
    down: add(old?.down, day.down),
    up: add(old?.up, day.up),
  }
  if (old) await tx.usageMonths.update(row)
  else await tx.usageMonths.insert(row)
}
