/** The customer's history: their top-ups and invoices, newest first. */
import type { Hono } from 'hono'
import type { PortalEnv } from '../portal/portal-auth.js'
import type { TopUpSource } from '../store/entities.js'
import { InvoiceTable, invoiceColumns, pdfColumn } from '../ui/invoice-table.js'
import { TopUpTable, topUpColumns } from '../ui/topup-table.js'
import { PortalPage } from './portal-layout.js'
import { type PortalPageKit, portalFrame } from './portal-page-auth.js'

const BOUGHT_BY: Record<TopUpSource, string> = {
  portal: 'You',
  auto: 'Auto top-up',
  operator: 'Your provider',
}

const boughtBy = { header: 'Bought by', cell: (t: { source: TopUpSource }) => BOUGHT_BY[t.source] }

const newestFirst = <T extends { id: string }>(rows: T[], at: (row: T) => number) =>
  [...rows].sort((a, b) => at(b) - at(a) || (a.id < b.id ? 1 : -1))

export function historyRoutes(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  const { store, env } = kit.deps
  ui.get('/history', kit.page, async (c) => {
    const id = c.var.subscriberId
    const { topUps, invoices } = await store.peek(async (tx) => ({
      topUps: await tx.topUps.forSubscriber(id),
      invoices: await tx.invoices.forSubscriber(id),
    }))
    const top = topUpColumns(env.timeZone)
    const inv = invoiceColumns(env.timeZone)
    return c.html(
      <PortalPage title="History" {...portalFrame(c)}>
        <h1>History</h1>
        <section>
          <h2 id="topups-title">Top-ups</h2>
          <TopUpTable
            rows={newestFirst(topUps, (t) => t.createdAtMs)}
            columns={[{ ...top.added, header: 'Date' }, { ...top.data, num: false }, top.price, boughtBy]}
            labelledBy="topups-title"
          />
        </section>
        <section>
          <h2 id="invoices-title">Invoices</h2>
          <InvoiceTable
            rows={newestFirst(invoices, (i) => i.issuedAtMs)}
            columns={[
              inv.number,
              { ...inv.issued, header: 'Date' },
              inv.total,
              inv.status,
              pdfColumn('/portal/invoices'),
            ]}
            labelledBy="invoices-title"
          />
        </section>
        <p>
          <a href="/portal">Back to your data</a>
        </p>
      </PortalPage>,
    )
  })
}
