/**
 * CSV for spreadsheets and accounting tools: RFC 4180 (quoted where needed, CRLF lines), and text
 * cells that a spreadsheet would run as a formula (= + - @ tab CR first) get a leading `'`.
 */
import { type Money, minorUnitDigits } from '@capd/protocol'

/** A cell: text from people (guarded), or a decimal we formatted ourselves (never guarded: "-5.00" is a number). */
export type Cell = string | undefined | { readonly decimal: string }

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

export function csvCell(cell: Cell): string {
  if (cell === undefined) return ''
  if (typeof cell === 'object') return cell.decimal
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvDocument(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('')
}

/** An amount in the currency's units: 1250 USD → "12.50", -5 USD → "-0.05", 300 JPY → "300". */
export function decimal(m: Money): { decimal: string } {
  const digits = minorUnitDigits(m.currency)
  const sign = m.amount < 0 ? '-' : ''
  const abs = String(Math.abs(m.amount)).padStart(digits + 1, '0')
  return { decimal: digits === 0 ? sign + abs : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}` }
}

export const isoTime = (atMs: number | undefined): string | undefined =>
  atMs === undefined ? undefined : new Date(atMs).toISOString()
