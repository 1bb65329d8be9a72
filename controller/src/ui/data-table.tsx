/** A table of rows with headed columns (`<th scope="col">`), or a sentence when there are no rows. */
import type { Child } from 'hono/jsx'

export interface Column<T> {
  header: string
  /** Figures: right-aligned, in tabular digits. */
  num?: boolean
  cell: (row: T) => Child
}

export interface DataTableProps<T> {
  rows: readonly T[]
  columns: readonly Column<T>[]
  /** Said instead of an empty table. */
  empty: string
  /** The id of the heading that names the table. */
  labelledBy?: string
  /** False when the caller's own `table-wrap` box holds the table (and the empty sentence). */
  wrap?: boolean
}

export function DataTable<T>({ rows, columns, empty, labelledBy, wrap = true }: DataTableProps<T>) {
  if (rows.length === 0) return <p class="empty">{empty}</p>
  const num = (c: Column<T>) => (c.num ? 'num' : undefined)
  const table = (
    <table aria-labelledby={labelledBy}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" class={num(c)}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            {columns.map((c) => (
              <td class={num(c)}>{c.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
  return wrap ? <div class="table-wrap">{table}</div> : table
}
