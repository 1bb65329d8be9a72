/** Wall-clock time in IANA time zones using only Intl: zone validation, local fields, and when a local day begins. */
import { z } from 'zod'

const DAY_MS = 86_400_000

export interface LocalDateTime {
  year: number
  /** 1–12 */
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  if (typeof timeZone !== 'string') return undefined
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      return undefined
    }
    formatters.set(timeZone, formatter)
  }
  return formatter
}

export function isValidTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== undefined
}

export function assertTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${timeZone}`)
}

export const TimeZone = z
  .string()
  .refine(isValidTimeZone, { error: (issue) => `unknown time zone: ${issue.input}` })
export type TimeZone = z.infer<typeof TimeZone>

function requireFormatter(timeZone: string): Intl.DateTimeFormat {
  const formatter = formatterFor(timeZone)
  if (formatter === undefined) throw new RangeError(`unknown time zone: ${timeZone}`)
  return formatter
}

/** The local date and time (to the second) shown by a clock in `timeZone` at the UTC instant `atMs`. */
export function localDateTime(atMs: number, timeZone: string): LocalDateTime {
  const fields: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }
  for (const part of requireFormatter(timeZone).formatToParts(atMs)) {
    if (part.type in fields) fields[part.type as keyof LocalDateTime] = Number(part.value)
  }
  return fields
}

/** Milliseconds to add to UTC to get local wall time at `atMs` (e.g. +3_600_000 for Berlin in winter). */
function offsetMs(atMs: number, timeZone: string): number {
  const l = localDateTime(atMs, timeZone)
  // Intl drops milliseconds, so compare against the instant truncated to its second.
  const wholeSecond = atMs - (((atMs % 1000) + 1000) % 1000)
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - wholeSecond
}

/** Local wall time at `atMs`, encoded as if it were a UTC timestamp (so it can be compared and subtracted). */
function wallMs(atMs: number, timeZone: string): number {
  return atMs + offsetMs(atMs, timeZone)
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/**
 * The first UTC instant of the local calendar day `year-month-day` in `timeZone`. That is local
 * midnight, except where midnight is skipped (DST starting at 00:00, as in America/Santiago or
 * America/Havana), where it is the instant the clock jumps to (e.g. 01:00); if midnight happens
 * twice (a fall-back at 01:00), it is the earlier one.
 */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  requireFormatter(timeZone)
  if (!Number.isInteger(year) || year < 1900 || year > 9999) {
    throw new RangeError(`year must be an integer from 1900 to 9999, got ${year}`)
  }
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`month must be an integer from 1 to 12, got ${month}`)
  }
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(
      `day must be an integer from 1 to ${daysInMonth(year, month)} in ${year}-${month}, got ${day}`,
    )
  }
  return firstInstantAtOrAfter(Date.UTC(year, month - 1, day), timeZone)
}

/**
 * The UTC instant a clock in `timeZone` first shows `hour:minute` on the local day
 * `year-month-day`: in a DST gap, the instant the clock jumps to; shown twice (fall-back), the earlier.
 * `hour` may be 24 (the next day's midnight).
 */
export function instantOfLocalTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  requireFormatter(timeZone)
  return firstInstantAtOrAfter(Date.UTC(year, month - 1, day, hour, minute), timeZone)
}

/** Earliest UTC instant whose local wall time is at or after `target` (a wall time encoded as UTC). */
function firstInstantAtOrAfter(target: number, timeZone: string): number {
  // Each offset in force near the target gives one candidate instant (target - offset). Offsets a day
  // either side cover a transition on the day itself; iterating target - offset(guess) to a fixed
  // point picks up the offset actually in force, whatever the zone's history.
  const offsets = new Set([offsetMs(target - DAY_MS, timeZone), offsetMs(target + DAY_MS, timeZone)])
  let guess = target - offsetMs(target, timeZone)
  for (let i = 0; i < 4; i++) {
    offsets.add(target - guess)
    const next = target - offsetMs(guess, timeZone)
    if (next === guess) break
    guess = next
  }
  const candidates = [...offsets].map((offset) => target - offset).sort((a, b) => a - b)
  // When the wall time occurs twice, the earlier instant is the one the day starts at.
  const exact = candidates.find((t) => wallMs(t, timeZone) === target)
  if (exact !== undefined) return exact

  // The wall time falls in a gap: find the transition that jumps over it, whose instant is the
  // first one reading later than `target`.
  let low = candidates.findLast((t) => wallMs(t, timeZone) < target)
  let high = candidates.find((t) => low !== undefined && t > low && wallMs(t, timeZone) > target)
  if (low === undefined || high === undefined) {
    throw new Error(`cannot resolve local time ${new Date(target).toISOString().slice(0, 19)} in ${timeZone}`)
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2)
    if (wallMs(mid, timeZone) >= target) high = mid
    else low = mid
  }
  return high
}
