/** What the usage history charts show: the period's days with its buckets, and the hours of a chosen day or the last 48 hours. */
import type { CountDirection } from '@capd/protocol'
import { bucketViews } from '../domain/allowance-view.js'
import type { DomainEnv } from '../domain/env.js'
import { isDay, localDayAt, shiftDay } from '../domain/local-day.js'
import { currentPeriod } from '../domain/usage.js'
import { type DayPoint, type HourPoint, usageHistory } from '../domain/usage-history-read.js'
import { HOURLY_KEEP_DAYS } from '../domain/usage-history-retention.js'
import type { BucketView, Plan, Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export interface DayHour extends HourPoint {
  readonly day: string
}

export interface UsageChartsData {
  readonly nowMs: number
  /** Every day of the current period, future ones with no usage. */
  readonly days: readonly DayPoint[]
  readonly buckets: readonly BucketView[]
  /** Which direction draws on the allowance (the cumulative line follows it). */
  readonly count: CountDirection
  /** The day whose hours are shown, or undefined for the last 48 hours. */
  readonly hourDay: string | undefined
  /** Hours up to now. */
  readonly hours: readonly DayHour[]
  /** Days the hourly view can show: today back to the hourly retention. */
  readonly firstHourDay: string
  readonly today: string
}

export async function loadUsageCharts(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  /** `?day=` as given: ignored unless a day the hourly view holds. */
  askedDay: string | undefined,
): Promise<UsageChartsData> {
  const nowMs = env.clock.now()
  const period = currentPeriod(sub, nowMs, env.timeZone)
  const first = localDayAt(period.startMs, env.timeZone).day
  const last = localDayAt(period.endMs - 1, env.timeZone).day
  const days = await usageHistory(tx, env.timeZone, sub.id, first, last)
  const today = localDayAt(nowMs, env.timeZone).day
  const firstHourDay = shiftDay(today, -HOURLY_KEEP_DAYS)
  const hourDay =
    askedDay !== undefined && isDay(askedDay) && askedDay >= firstHourDay && askedDay <= today
      ? askedDay
      : undefined
  const hourDays = await usageHistory(
    tx,
    env.timeZone,
    sub.id,
    hourDay ?? shiftDay(today, -1),
    hourDay ?? today,
  )
  const hours = hourDays
    .flatMap((d) => (d.hours ?? []).map((h) => ({ ...h, day: d.day })))
    .filter((h) => h.startMs <= nowMs)
  return {
    nowMs,
    days,
    buckets: bucketViews(sub, plan, topUps, nowMs, env.timeZone),
    count: plan.count ?? 'both',
    hourDay,
    hours: hourDay ? hours : hours.filter((h) => h.startMs > nowMs - 48 * 3_600_000),
    firstHourDay,
    today,
  }
}
