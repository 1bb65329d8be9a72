/** Values as an edit form pre-fills them (data amounts: see dataAmountInput): text that reads back, through form-values.ts, to exactly the same value. */
import { type Money, minorUnitDigits } from '@capd/protocol'

/** Money as a form pre-fills it: { amount: 500, currency: 'USD' } → "5.00" (exact, no float maths). */
export function moneyInputValue(m: Money): string {
  const digits = minorUnitDigits(m.currency)
  const sign = m.amount < 0 ? '-' : ''
  const abs = String(Math.abs(m.amount)).padStart(digits + 1, '0')
  return digits === 0 ? sign + abs : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`
}
