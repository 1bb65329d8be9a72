/** All invoices, newest first, a page at a time, each linking to its subscriber. */
import { z } from 'zod'
import { parseInput } from '../api/validate.js'
import type { Invoice } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { InvoiceTable, invoiceColumns, pdfColumn } from '../ui/invoice-table.js'

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
        columns={[c.number, subscriber, c.issued, c.total, c.status, pdfColumn('/invoices')]}
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
