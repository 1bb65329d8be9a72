/** The words both UIs use for a projected run-out: a date when far, "about 40 minutes" when close. */
import { date, dateTime } from './format.js'

/** Closer than this, a run-out is said as a duration from now. */
export const SOON_MS = 2 * 3_600_000

/** Within this, the time of day is worth saying; further out it is false precision. */
const SAME_FEW_DAYS_MS = 2 * 86_400_000

const MINUTE_MS = 60_000

/** "about a minute", "about 40 minutes", "about 1 hour 20 minutes" (rounded to the unit that matters). */
export function aboutDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / MINUTE_MS))
  if (minutes === 1) return 'about a minute'
  if (minutes < 10) return `about ${minutes} minutes`
  if (minutes < 60) {
    const five = Math.round(minutes / 5) * 5
    return five === 60 ? 'about 1 hour' : `about ${five} minutes`
  }
  const tens = Math.round(minutes / 10) * 10
  const hours = Math.floor(tens / 60)
  const rest = tens % 60
  const h = `${hours} hour${hours === 1 ? '' : 's'}`
  return rest === 0 ? `about ${h}` : `about ${h} ${rest} minutes`
}

/** "24 Mar 2026" or, within two days, "24 Mar 2026, 14:05". */
export function runOutWhen(atMs: number, inMs: number, timeZone: string): string {
  return inMs < SAME_FEW_DAYS_MS ? dateTime(atMs, timeZone) : date(atMs, timeZone)
}
