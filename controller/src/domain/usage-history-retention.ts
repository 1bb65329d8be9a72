/**
 * Forgetting old usage history: a day's hours after HOURLY_KEEP_DAYS (the row keeps the day's
 * totals), the day itself after DAILY_KEEP_DAYS (13 months and a bit). Fixed, not the audit
 * retention: the history is what customers and operators look back on, like past periods.
 */
import type { Tx } from '../store/store.js'
import type { UsageDay } from '../store/usage-history-entities.js'
import type { DomainEnv } from './env.js'
import { localDayAt, shiftDay } from './local-day.js'

/** Two of the longest billing periods: this period's and the last one's hours stay. */
export const HOURLY_KEEP_DAYS = 62
export const DAILY_KEEP_DAYS = 400

/** How many rows one pass changes at most, so one transaction stays small; the next pass goes on. */
const BATCH = 50_000

export async function pruneUsageHistory(tx: Tx, env: DomainEnv): Promise<number> {
  const today = localDayAt(env.clock.now(), env.timeZone).day
  const beforeDay = shiftDay(today, -DAILY_KEEP_DAYS)
  const hoursBeforeDay = shiftDay(today, -HOURLY_KEEP_DAYS)
  const stale = await tx.usageDays.stale(beforeDay, hoursBeforeDay, BATCH)
  for (const row of stale) {
    if (row.day < beforeDay) await tx.usageDays.delete(row.id)
    else await tx.usageDays.update(totalsOnly(row))
  }
  return stale.length
}

function totalsOnly({ hourDown: _d, hourUp: _u, ...totals }: UsageDay): UsageDay {
  return totals
}
