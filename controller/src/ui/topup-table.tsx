/** Top-ups as a table: the columns top-up tables share. */
import type { TopUp } from '../store/entities.js'
import { type Column, DataTable, type DataTableProps } from './data-table.js'
import { bytes, dateTime, money } from './format.js'

/** The columns a page picks from; it may change one (`{ ...added, header: 'Date' }`) or add its own. */
export function topUpColumns(timeZone: string) {
  return {
    added: { header: 'Added', cell: (t) => dateTime(t.createdAtMs, timeZone) },
    data: { header: 'Data', num: true, cell: (t) => bytes(t.bytes) },
    price: { header: 'Price', num: true, cell: (t) => money(t.price) },
    validUntil: { header: 'Valid until', cell: (t) => dateTime(t.expiresAtMs, timeZone) },
  } satisfies Record<string, Column<TopUp>>
}

export const TopUpTable = (p: Omit<DataTableProps<TopUp>, 'empty'>) => (
  <DataTable {...p} empty="No top-ups yet." />
)
