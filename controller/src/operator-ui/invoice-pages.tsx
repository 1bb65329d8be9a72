/** The operator's invoice page (`/invoices/:id`) and its actions; the billing settings page. */
import type { Hono } from 'hono'
import { dayRange, EXPORTS, ExportQuery } from '../api/export-routes.js'
import { idParam, parseInput } from '../api/validate.js'
import { accountingExport } from '../domain/accounting-export.js'
import { billingSettingsPage } from './billing-settings-page.js'
import { invoiceActions } from './invoice-actions.js'
import { InvoicePageBody } from './invoice-page.js'
import { loadInvoicePage } from './invoice-page-data.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { can, frame, type OperatorKit } from './operator-kit.js'

export function invoicePages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps

  ui.get('/invoices/:id', kit.page, async (c) => {
    const d = await store.transact((tx) => loadInvoicePage(tx, idParam(c)))
    const f = frame(c)
    return c.html(
      <OperatorPage {...f} title={d.invoice.number} section="invoices">
        <InvoicePageBody
          d={d}
          timeZone={env.timeZone}
          csrf={f.csrf}
          mayBill={can(f, 'billing')}
          currency={env.currency}
        />
      </OperatorPage>,
    )
  })

  // The accounting CSVs, for a logged-in operator (the API's are for tokens).
  for (const name of EXPORTS) {
    ui.get(`/exports/${name}.csv`, kit.page, async (c) => {
      const q = parseInput(ExportQuery, c.req.query())
      const csv = await store.transact((tx) =>
        accountingExport(tx, name, dayRange(q.from, q.to, env.timeZone)),
      )
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="capd-${name}-${q.from}-${q.to}.csv"`,
      })
    })
  }

  invoiceActions(ui, kit)
  billingSettingsPage(ui, kit)
}
