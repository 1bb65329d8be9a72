/** Invoices as a table: the columns invoice tables share, and the status badge. */
import type { Invoice } from '../store/entities.js'
import { type Column, DataTable, type DataTableProps } from './data-table.js'
import { dateTime, money } from './format.js'

/**
 * An invoice's status as a word in a badge (never colour alone). A credit note is "issued": it is
 * neither owed nor paid by the customer.
 */
export function InvoiceStatus({ invoice }: { invoice: Invoice }) {
  if (invoice.kind === 'credit_note') return <span class="badge invoice-open">issued</span>
  const style = invoice.status === 'paid' ? 'paid' : invoice.status === 'void' ? 'retired' : 'invoice-open'
  return <span class={`badge ${style}`}>{invoice.status}</span>
}

/** The columns a page picks from; it may rename one (`{ ...issued, header: 'Date' }`) or add its own. */
export function invoiceColumns(timeZone: string) {
  return {
    number: { header: 'Number', cell: (i) => i.number },
    issued: { header: 'Issued', cell: (i) => dateTime(i.issuedAtMs, timeZone) },
    description: { header: 'Description', cell: (i) => i.lines.map((l) => l.description).join(', ') },
    total: { header: 'Total', num: true, cell: (i) => money(i.total) },
    status: { header: 'Status', cell: (i) => <InvoiceStatus invoice={i} /> },
  } satisfies Record<string, Column<Invoice>>
}

export const InvoiceTable = (p: Omit<DataTableProps<Invoice>, 'empty'>) => (
  <DataTable {...p} empty="No invoices yet." />
)

/** A column with the document's PDF, under `base` (`/invoices` for staff, `/portal/invoices` for customers). */
export const pdfColumn = (base: string): Column<Invoice> => ({
  header: 'PDF',
  cell: (i) => (
    <a href={`${base}/${encodeURIComponent(i.id)}.pdf`} download>
      Download<span class="visually-hidden">{` ${i.number}`}</span>
    </a>
  ),
})
