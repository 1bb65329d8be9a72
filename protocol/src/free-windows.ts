/**
 * A plan's daily free hours (`HH:MM`–`HH:MM` in the ISP's zone, possibly across midnight) as the
 * absolute windows of one billing period, as the controller pushes them in a limit.
 */
import { type FreeWindowMs, MAX_FREE_WINDOWS } from './counted-bytes.js'
import { instantOfLocalTime, localDateTime } from './zoned-time.js'

/** One daily window in local wall time, as a plan holds it. */
export interface DailyHours {
  readonly from: string
  readonly to: string
}

/**
 * Daily windows a plan may have so that every billing period fits in one limit: 32 local days
 * (31, and the day before whose window may run into the first) of 3 windows stay under MAX_FREE_WINDOWS.
 */
export const MAX_FREE_HOURS_PER_DAY = 3

const DAY_MS = 86_400_000
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/

/** Minutes after local midnight of `HH:MM`; a RangeError for anything else. */
export function minutesOfDay(text: string): number {
  const m = HH_MM.exec(text)
  if (!m) throw new RangeError(`free hours must be HH:MM from 00:00 to 23:59, got "${text}"`)
  return Number(m[1]) * 60 + Number(m[2])
}

/** Thrown when a period would need more windows than a limit may carry; nothing is cut off silently. */
export class TooManyFreeWindows extends RangeError {
  constructor(readonly needed: number) {
    super(
      `these free hours need ${needed} windows in one billing period, more than the ${MAX_FREE_WINDOWS} a limit can carry; use fewer windows a day`,
    )
    this.name = 'TooManyFreeWindows'
  }
}

/**
 * The windows of `hours` that fall in `period` (start ≤ t < end), clipped to it, in order, with
 * overlapping or touching ones merged. Each local day's window starts when the zone's clock first
 * shows `from` that day and ends when it first shows `to` (the next day if `to` ≤ `from`): a DST
 * change makes that window an hour shorter or longer, as the customer's clock says. `from` equal
 * to `to` is refused (is it no time or all day?).
 */
export function freeWindowsIn(
  period: { readonly startMs: number; readonly endMs: number },
  hours: readonly DailyHours[] | undefined,
  timeZone: string,
): FreeWindowMs[] {
  if (!hours || hours.length === 0 || !(period.endMs > period.startMs)) return []
  // A sync computes the same plan's windows for every subscriber on it: hundreds of zone lookups each.
  const key = JSON.stringify([period.startMs, period.endMs, timeZone, hours.map((h) => [h.from, h.to])])
  let windows = memo.get(key)
  if (!windows) {
    windows = computeFreeWindows(period, hours, timeZone)
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!)
    memo.set(key, windows)
  }
  return windows.map((w) => ({ ...w }))
}

const MEMO_SIZE = 256
const memo = new Map<string, readonly FreeWindowMs[]>()

/** The same without the memo (tests compare the two). */
export function computeFreeWindows(
  period: { readonly startMs: number; readonly endMs: number },
  hours: readonly DailyHours[],
  timeZone: string,
): FreeWindowMs[] {
  const daily = hours.map((h) => {
    const from = minutesOfDay(h.from)
    const to = minutesOfDay(h.to)
    if (from === to) throw new RangeError(`free hours ${h.from}–${h.to} start and end at the same time`)
    return { from, to: to > from ? to : to + 24 * 60 }
  })
  // From the local day before the period (its window may run past midnight) to the one it ends in.
  const first = localDateTime(period.startMs, timeZone)
  const last = localDateTime(period.endMs, timeZone)
  const lastDayMs = Date.UTC(last.year, last.month - 1, last.day)
  const raw: FreeWindowMs[] = []
  for (
    let dayMs = Date.UTC(first.year, first.month - 1, first.day) - DAY_MS;
    dayMs <= lastDayMs;
    dayMs += DAY_MS
  ) {
    for (const { from, to } of daily) {
      const startMs = at(dayMs, from, timeZone)
      const endMs = at(dayMs, to, timeZone)
      const clipped = { startMs: Math.max(startMs, period.startMs), endMs: Math.min(endMs, period.endMs) }
      if (clipped.endMs > clipped.startMs) raw.push(clipped)
    }
  }
  raw.sort((a, b) => a.startMs - b.startMs)
  const merged: FreeWindowMs[] = []
  for (const w of raw) {
    const prev = merged[merged.length - 1]
    if (prev && w.startMs <= prev.endMs) prev.endMs = Math.max(prev.endMs, w.endMs)
    else merged.push({ ...w })
  }
  if (merged.length > MAX_FREE_WINDOWS) throw new TooManyFreeWindows(merged.length)
  return merged
}

/** The instant of `minutes` after the start of the local day `dayMs` (a date encoded as UTC midnight). */
function at(dayMs: number, minutes: number, timeZone: string): number {
  const day = new Date(dayMs + Math.floor(minutes / (24 * 60)) * DAY_MS)
  const m = minutes % (24 * 60)
  return instantOfLocalTime(
    day.getUTCFullYear(),
    day.getUTCMonth() + 1,
    day.getUTCDate(),
    Math.floor(m / 60),
    m % 60,
    timeZone,
  )
}
