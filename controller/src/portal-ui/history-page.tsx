/** The customer's history: their top-ups and invoices, newest first. */
import type { Hono } from 'hono'
import type { PortalEnv } from '../portal/portal-auth.js'
import type { Invoice, TopUp, TopUpSource } from '../store/entities.js'
import { bytes, dateTime, money } from '../ui/format.js'
import { PortalPage } from './portal-layout.js'
import { type PortalPageKit, portalFrame } from './portal-page-auth.js'

const BOUGHT_BY: Record<TopUpSource, string> = {
  portal: 'You',
  auto: 'Auto top-up',
  operator: 'Your provider',
}

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
    return c.html(
      <PortalPage title="History" {...portalFrame(c)}>
        <h1>History</h1>
        <TopUpTable topUps={newestFirst(topUps, (t) => t.createdAtMs)} timeZone={env.timeZone} />
        <InvoiceTable invoices={newestFirst(invoices, (i) => i.issuedAtMs)} timeZone={env.timeZone} />
        <p>
          <a href="/portal">Back to your data</a>
        </p>
      </PortalPage>,
    )
  })
}

function TopUpTable({ topUps, timeZone }: { topUps: TopUp[]; timeZone: string }) {
  return (
    <section>
      <h2 id="topups-title">Top-ups</h2>
      {topUps.length === 0 ? (
        <p class="empty">No top-ups yet.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="topups-title">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Data</th>
                <th scope="col" class="num">
                  Price
                </th>
                <th scope="col">Bought by</th>
              </tr>
            </thead>
            <tbody>
              {topUps.map((t) => (
                <tr>
                  <td>{dateTime(t.createdAtMs, timeZone)}</td>
                  <td>{bytes(t.bytes)}</td>
                  <td class="num">{money(t.price)}</td>
                  <td>{BOUGHT_BY[t.source]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function InvoiceTable({ invoices, timeZone }: { invoices: Invoice[]; timeZone: string }) {
  return (
    <section>
      <h2 id="invoices-title">Invoices</h2>
      {invoices.length === 0 ? (
        <p class="empty">No invoices yet.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="invoices-title">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Date</th>
                <th scope="col" class="num">
                  Total
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((i) => (
                <tr>
                  <td>{i.number}</td>
                  <td>{dateTime(i.issuedAtMs, timeZone)}</td>
                  <td class="num">{money(i.total)}</td>
                  <td>
                    <span class={`badge ${i.status === 'paid' ? 'paid' : 'invoice-open'}`}>{i.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
