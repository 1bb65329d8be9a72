/** How the UI writes bytes, money and times for people. Times are shown in the controller's zone. */
import { formatBytes, formatMoney, type Money } from '@capd/protocol'

export const bytes = (n: number) => formatBytes(Math.max(0, Math.round(n)))

export const money = (m: Money) => formatMoney(m)

/** "25 Nov 2026, 14:05" in `timeZone`. */
export function dateTime(ms: number, timeZone: string): string {
  return formatter('dateTime', timeZone, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms)
}

/** "25 Nov 2026" in `timeZone`. */
export function date(ms: number, timeZone: string): string {
  return formatter('date', timeZone, { day: 'numeric', month: 'short', year: 'numeric' }).format(ms)
}

/** Making a formatter costs far more than using one (a page or an alert batch formats thousands). */
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(kind: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${kind}/${timeZone}`
  let made = formatters.get(key)
  if (!made) {
    made = new Intl.DateTimeFormat('en-GB', { ...options, timeZone })
    formatters.set(key, made)
  }
  return made
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(ms: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - ms) / 1000))
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  const days = Math.round(s / 86_400)
  return `${days} day${days === 1 ? '' : 's'} ago`
}

/** Share of the limit used, 0–100, for bars and labels. */
export const percentUsed = (usedBytes: number, limitBytes: number) =>
  limitBytes <= 0 ? 100 : Math.min(100, Math.round((usedBytes / limitBytes) * 100))
