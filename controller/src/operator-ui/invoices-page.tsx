/** All invoices, pro-formas and credit notes, newest first, a page at a time, each linking to its page and subscriber. */
import { localDateTime } from '@capd/protocol'
import { z } from 'zod'
import { parseInput } from '../api/validate.js'
import { kindOf } from '../domain/invoices.js'
import type { Invoice } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { money } from '../ui/format.js'
import { InvoiceTable, invoiceColumns, pdfColumn } from '../ui/invoice-table.js'
import { invoicePath, KIND_LABELS } from './invoice-page.js'

const PAGE_SIZE = 50

const InvoiceQuery = z.object({ before: z.string().min(1).max(64).optional() })

export interface InvoiceListData {
  invoices: Invoice[]
  /** Names of the invoices' subscribers that still exist, by id. */
  names: ReadonlyMap<string, string>
  /** The id to continue from (older invoices), if there are more. */
  olderThan: string | null
  first: boolean
}

export async function loadInvoices(tx: Tx, query: Record<string, string>): Promise<InvoiceListData> {
  const { before } = parseInput(InvoiceQuery, query)
  // Ids grow with creation time, so "older" is "smaller id".
  const all = await tx.invoices.list()
  const older = before === undefined ? all : all.filter((i) => i.id < before)
  const page = older.slice(-PAGE_SIZE).reverse()
  const names = new Map<string, string>()
  for (const { subscriberId } of page) {
    const name = (await tx.subscribers.get(subscriberId))?.name
    if (name !== undefined) names.set(subscriberId, name)
  }
  const last = page[page.length - 1]
  return {
    invoices: page,
    names,
    olderThan: older.length > PAGE_SIZE && last ? last.id : null,
    first: before === undefined,
  }
}

export function InvoiceList({ data, timeZone }: { data: InvoiceListData; timeZone: string }) {
  const c = invoiceColumns(timeZone)
  const number = { header: 'Number', cell: (i: Invoice) => <a href={invoicePath(i)}>{i.number}</a> }
  const kind = { header: 'Kind', cell: (i: Invoice) => KIND_LABELS[kindOf(i)] }
  const zero = (i: Invoice) => ({ amount: 0, currency: i.total.currency })
  const net = { header: 'Net', num: true, cell: (i: Invoice) => money(i.net ?? i.total) }
  const tax = { header: 'Tax', num: true, cell: (i: Invoice) => money(i.tax ?? zero(i)) }
  const subscriber = {
    header: 'Subscriber',
    cell: (i: Invoice) => (
      <a href={`/subscribers/${encodeURIComponent(i.subscriberId)}`}>
        {data.names.get(i.subscriberId) ?? i.subscriberId}
      </a>
    ),
  }
  return (
    <div id="invoices" data-live>
      <InvoiceTable
        rows={data.invoices}
        columns={[number, kind, subscriber, c.issued, net, tax, c.total, c.status, pdfColumn('/invoices')]}
      />
      <nav class="pager" aria-label="Pages">
        {data.first ? null : <a href="/invoices">Newest</a>}
        {data.olderThan ? (
          <a href={`/invoices?before=${encodeURIComponent(data.olderThan)}`}>Older invoices</a>
        ) : null}
      </nav>
    </div>
  )
}

/** Download the accounting CSVs for a date range (this month so far by default). */
export function ExportForm({ nowMs, timeZone }: { nowMs: number; timeZone: string }) {
  const { year, month, day } = localDateTime(nowMs, timeZone)
  const pad = (n: number) => String(n).padStart(2, '0')
  const today = `${year}-${pad(month)}-${pad(day)}`
  return (
    <section class="card" aria-labelledby="export-title">
      <h2 id="export-title">Accounting export (CSV)</h2>
      <p>
        Invoices include credit notes (negative amounts, linked to the invoice they credit); pro-formas are
        left out.
      </p>
      <form method="get" action="/exports/invoices.csv" aria-labelledby="export-title">
        <label for="export-from">From</label>
        <input id="export-from" name="from" type="date" required value={`${year}-${pad(month)}-01`} />
        <label for="export-to">To</label>
        <input id="export-to" name="to" type="date" required value={today} />
        <button type="submit" class="button secondary">
          Invoices
        </button>
        <button type="submit" class="button secondary" formaction="/exports/payments.csv">
          Payments
        </button>
        <button type="submit" class="button secondary" formaction="/exports/credit-notes.csv">
          Credit notes
        </button>
      </form>
    </section>
  )
}
