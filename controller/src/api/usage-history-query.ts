/** The usage history query (`?from&to&granularity`), checked at the edge for the API and the portal. */
import { z } from 'zod'
import { localDayAt, shiftDay } from '../domain/local-day.js'
import type { Granularity } from '../domain/usage-history-csv.js'
import { DAILY_KEEP_DAYS, HOURLY_KEEP_DAYS } from '../domain/usage-history-retention.js'
import { ApiError } from '../errors.js'
import { Day } from './export-routes.js'

export const UsageHistoryQuery = z.strictObject({
  from: Day.optional(),
  to: Day.optional(),
  granularity: z.enum(['day', 'hour']).default('day'),
})
export type UsageHistoryQuery = z.infer<typeof UsageHistoryQuery>

export interface HistoryRange {
  from: string
  to: string
  granularity: Granularity
}

/** Longest range one request may ask for: what each granularity keeps. */
export const MAX_DAYS: Record<Granularity, number> = { day: DAILY_KEEP_DAYS + 1, hour: HOURLY_KEEP_DAYS + 1 }

/**
 * Both days included, local to the ISP. Defaults: up to today, the last 31 days (day) or the last
 * 2 days (hour). A range backwards or longer than MAX_DAYS is a 400.
 */
export function historyRange(q: UsageHistoryQuery, nowMs: number, timeZone: string): HistoryRange {
  const today = localDayAt(nowMs, timeZone).day
  const to = q.to ?? (q.from && q.from > today ? q.from : today)
  const from = q.from ?? shiftDay(to, q.granularity === 'day' ? -30 : -1)
  if (from > to) throw new ApiError(400, 'invalid_request', 'to: must not be before from')
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1
  const max = MAX_DAYS[q.granularity]
  if (days > max) {
    throw new ApiError(
      400,
      'invalid_request',
      `to: a ${q.granularity === 'day' ? 'daily' : 'hourly'} range covers at most ${max} days, asked for ${days}`,
    )
  }
  return { from, to, granularity: q.granularity }
}
