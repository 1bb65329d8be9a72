/** Plain-text tables for benchmark output: right-aligned numbers, one header rule. */

export type Cell = string | number

export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '-'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/**
 * value / baseline to two significant digits, so 0.0010x stays distinguishable from 0.0040x; whole
 * numbers from 100 up, where toPrecision would switch to exponent notation.
 */
export function ratio(value: number, baseline: number): string {
  if (!(baseline > 0)) return '-'
  const r = value / baseline
  return `${r >= 100 ? r.toFixed(0) : r.toPrecision(2)}x`
}

export function printTable(headers: string[], rows: Cell[][]): void {
  const text = rows.map((row) => row.map(String))
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  console.log(line(headers))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of text) console.log(line(row))
}
