/** All invoices, newest first, a page at a time, each linking to its subscriber. */
import { z } from 'zod'
import { parseInput } from '../api/validate.js'
import type { Invoice } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { dateTime, money } from '../ui/format.js'
import { InvoiceStatus } from './state-badge.js'

const PAGE_SIZE = 50

const InvoiceQuery = z.object({ before: z.string().min(1).max(64).optional() })

export interface InvoiceRow {
  invoice: Invoice
  subscriberName: string | undefined
}

export interface InvoiceListData {
  rows: InvoiceRow[]
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
  const rows: InvoiceRow[] = []
  for (const invoice of page) {
    rows.push({ invoice, subscriberName: (await tx.subscribers.get(invoice.subscriberId))?.name })
  }
  const last = page[page.length - 1]
  return { rows, olderThan: older.length > PAGE_SIZE && last ? last.id : null, first: before === undefined }
}

export function InvoiceList({ data, timeZone }: { data: InvoiceListData; timeZone: string }) {
  return (
    <div id="invoices" data-live>
      {data.rows.length === 0 ? (
        <p class="empty">No invoices yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Subscriber</th>
                <th scope="col">Issued</th>
                <th scope="col" class="num">
                  Total
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map(({ invoice, subscriberName }) => (
                <tr>
                  <td>{invoice.number}</td>
                  <td>
                    <a href={`/subscribers/${encodeURIComponent(invoice.subscriberId)}`}>
                      {subscriberName ?? invoice.subscriberId}
                    </a>
                  </td>
                  <td>{dateTime(invoice.issuedAtMs, timeZone)}</td>
                  <td class="num">{money(invoice.total)}</td>
                  <td>
                    <InvoiceStatus invoice={invoice} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {data.first ? null : <a href="/invoices">Newest</a>}
        {data.olderThan ? (
          <a href={`/invoices?before=${encodeURIComponent(data.olderThan)}`}>Older invoices</a>
        ) : null}
      </nav>
    </div>
  )
}
