/** The operator UI at `/`: server-rendered pages (hono JSX), plain forms, and a change stream for live figures. */
import { Hono } from 'hono'
import type { PageDeps } from '../api/app-env.js'
import type { PasswordLoginOptions } from '../auth/password-login.js'
import { changeStream } from '../live/change-stream.js'
import { accountPages } from './account-pages.js'
import { agentPages } from './agent-pages.js'
import { allowanceSettingsPage } from './allowance-settings-page.js'
import { auditPage } from './audit-page.js'
import { catalogPages } from './catalog-pages.js'
import { deliveriesPage } from './deliveries-page.js'
import { invoicePages } from './invoice-pages.js'
import { invoicePdfRoute } from './invoice-pdf-route.js'
import { operatorLoginRoutes } from './login-routes.js'
import { notifySettingsPage } from './notify-settings-page.js'
import type { OperatorEnv } from './operator-auth.js'
import { operatorKit } from './operator-kit.js'
import { ordersPage } from './orders-page.js'
import { undeclaredRefused } from './permissions.js'
import { settingsPages } from './settings-pages.js'
import { staffPages } from './staff-pages.js'
import { subscriberPages } from './subscriber-pages.js'
import { templatePages } from './template-pages.js'
import { usageCsvRoute } from './usage-csv-route.js'
import { webhookPages } from './webhook-pages.js'

export type OperatorUiOptions = PasswordLoginOptions

export function operatorUi(deps: PageDeps, options: OperatorUiOptions = {}): Hono<OperatorEnv> {
  const ui = new Hono<OperatorEnv>()
  const kit = operatorKit(deps)
  ui.use('*', undeclaredRefused())
  operatorLoginRoutes(ui, kit, options)
  ui.get('/events', kit.page, (c) =>
    changeStream(c, deps.changes, { filter: () => true, viewer: `operator-session:${c.var.session.id}` }),
  )
  // Before any `/invoices/:id` page, which would otherwise take `<id>.pdf` for an id.
  invoicePdfRoute(ui, kit)
  usageCsvRoute(ui, kit)
  subscriberPages(ui, kit)
  invoicePages(ui, kit)
  catalogPages(ui, kit)
  agentPages(ui, kit)
  staffPages(ui, kit)
  accountPages(ui, kit)
  auditPage(ui, kit)
  ordersPage(ui, kit)
  settingsPages(ui, kit)
  allowanceSettingsPage(ui, kit)
  deliveriesPage(ui, kit)
  notifySettingsPage(ui, kit)
  webhookPages(ui, kit)
  templatePages(ui, kit)
  return ui
}
