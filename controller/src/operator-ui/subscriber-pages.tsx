/** Operator pages about subscribers: dashboard, list, new, one subscriber with its edit and top-up actions, invoices. */
import type { Hono } from 'hono'
import { idParam } from '../api/validate.js'
import { accountActions } from './account-actions.js'
import { loadDashboard } from './dashboard-data.js'
import { DashboardFigures } from './dashboard-page.js'
import { ExportForm, InvoiceList, loadInvoices } from './invoices-page.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { can, frame, type OperatorKit } from './operator-kit.js'
import { subscriberEditRoutes } from './subscriber-edit-routes.js'
import { subscriberLifecycleRoutes } from './subscriber-lifecycle-routes.js'
import { SubscriberPageBody } from './subscriber-page.js'
import { loadSubscriberPage } from './subscriber-page-data.js'
import { loadSubscriberList, readSearch } from './subscribers-data.js'
import { SubscriberSearchForm, SubscriberTable } from './subscribers-page.js'
import { topUpActions } from './topup-actions.js'

export function subscriberPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env, isAgentConnected } = kit.deps

  ui.get('/', kit.page, async (c) => {
    const d = await store.transact((tx) => loadDashboard(tx, env, isAgentConnected))
    return c.html(
      <OperatorPage {...frame(c)} title="Dashboard" section="dashboard" live>
        <h1>Dashboard</h1>
        <DashboardFigures d={d} />
      </OperatorPage>,
    )
  })

  ui.get('/subscribers', kit.page, async (c) => {
    const search = readSearch(c.req.query())
    const data = await store.transact((tx) => loadSubscriberList(tx, env, search))
    const f = frame(c)
    return c.html(
      <OperatorPage {...f} title="Subscribers" section="subscribers" live>
        <h1>Subscribers</h1>
        {can(f, 'subscribers') ? (
          <p class="actions">
            <a class="button" href="/subscribers/new">
              New subscriber
            </a>
          </p>
        ) : null}
        <SubscriberSearchForm data={data} />
        <SubscriberTable data={data} />
      </OperatorPage>,
    )
  })

  subscriberEditRoutes(ui, kit)
  subscriberLifecycleRoutes(ui, kit)

  ui.get('/subscribers/:id', kit.page, async (c) => {
    const d = await store.transact((tx) => loadSubscriberPage(tx, env, idParam(c), c.req.query('day')))
    const f = frame(c)
    return c.html(
      <OperatorPage {...f} title={d.sub.name} section="subscribers" live>
        <SubscriberPageBody
          d={d}
          csrf={f.csrf}
          role={f.role}
          timeZone={env.timeZone}
          currency={env.currency}
        />
      </OperatorPage>,
    )
  })

  ui.get('/invoices', kit.page, async (c) => {
    const data = await store.transact((tx) => loadInvoices(tx, c.req.query()))
    return c.html(
      <OperatorPage {...frame(c)} title="Invoices" section="invoices" live>
        <h1>Invoices</h1>
        <InvoiceList data={data} timeZone={env.timeZone} />
        <ExportForm nowMs={env.clock.now()} timeZone={env.timeZone} />
      </OperatorPage>,
    )
  })

  topUpActions(ui, kit)
  accountActions(ui, kit)
}
