/** Local calendar days and their elapsed hours in the ISP's zone (23 or 25 on DST days). */
import { localDateTime, startOfLocalDay } from '@capd/protocol'

export const HOUR_MS = 3_600_000

export interface LocalDay {
  /** `YYYY-MM-DD` */
  readonly day: string
  readonly startMs: number
  /** The next local day's start. */
  readonly endMs: number
  /** Elapsed hours from start to end, rounded up (24, or 23/25 across a DST change). */
  readonly hours: number
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

function dayText(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** The local day `YYYY-MM-DD` in `timeZone`; throws RangeError for a malformed or impossible date. */
export function localDayNamed(day: string, timeZone: string): LocalDay {
  const m = DAY.exec(day)
  if (!m) throw new RangeError(`day must be YYYY-MM-DD, got ${day}`)
  const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const startMs = startOfLocalDay(year, month, date, timeZone)
  const next = new Date(Date.UTC(year, month - 1, date + 1))
  const endMs = startOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone)
  return { day, startMs, endMs, hours: Math.ceil((endMs - startMs) / HOUR_MS) }
}

/** The local day `atMs` falls in. */
export function localDayAt(atMs: number, timeZone: string): LocalDay {
  const l = localDateTime(atMs, timeZone)
  const found = localDayNamed(dayText(l.year, l.month, l.day), timeZone)
  // Intl and the day's computed start agree except in pathological zones; never place atMs outside.
  if (atMs < found.startMs) return localDayAt(found.startMs - 1, timeZone)
  return found
}

/** The day after / before `day` (calendar arithmetic, no zone needed). */
export function shiftDay(day: string, by: number): string {
  const m = DAY.exec(day)
  if (!m) throw new RangeError(`day must be YYYY-MM-DD, got ${day}`)
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + by))
  return dayText(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

/** Whether `day` is a real `YYYY-MM-DD` calendar date. */
export function isDay(day: string): boolean {
  const m = DAY.exec(day)
  if (!m) return false
  return shiftDay(day, 0) === day && Number(m[1]) >= 1900
}
