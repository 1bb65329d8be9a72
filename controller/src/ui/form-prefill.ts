/** Values as an edit form pre-fills them: text that reads back, through form-values.ts, to exactly the same value. */
import { formatBytes, type Money, minorUnitDigits, parseBytes } from '@capd/protocol'

/**
 * Bytes as a form pre-fills them: "100 GB" when that says exactly this many bytes, else the plain
 * count (formatBytes rounds to 3 digits; saving an untouched form must not change the value).
 */
export function bytesInputValue(n: number): string {
  const shown = formatBytes(n)
  return parseBytes(shown) === n ? shown : String(n)
}

/** Money as a form pre-fills it: { amount: 500, currency: 'USD' } → "5.00" (exact, no float maths). */
export function moneyInputValue(m: Money): string {
  const digits = minorUnitDigits(m.currency)
  const sign = m.amount < 0 ? '-' : ''
  const abs = String(Math.abs(m.amount)).padStart(digits + 1, '0')
  return digits === 0 ? sign + abs : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`
}
