/** The customer portal's pages under /portal (phone first): login, remaining data, buy a top-up, history, alerts. */
import { Hono } from 'hono'
import type { PageDeps } from '../api/app-env.js'
import { changeStream } from '../live/change-stream.js'
import type { PortalOptions } from '../portal/portal-api.js'
import { findPortalSession, type PortalEnv, useSession } from '../portal/portal-auth.js'
import { loadBrand } from '../ui/brand.js'
import { takeFlash } from '../ui/flash.js'
import { htmlPolicy } from '../ui/html-policy.js'
import { alertsRoutes } from './alerts-routes.js'
import { autoTopUpRoutes } from './auto-topup-routes.js'
import { balanceRoutes } from './balance-routes.js'
import { historyRoutes } from './history-page.js'
import { invoicePdfRoute } from './invoice-pdf-route.js'
import { orderPageRoutes } from './order-page.js'
import { renderHome } from './portal-home.js'
import { portalLoginRoutes } from './portal-login.js'
import { PortalLoginPage } from './portal-login-page.js'
import { portalPageKit } from './portal-page-auth.js'
import { topUpRoutes } from './topup-routes.js'
import { usagePageRoutes } from './usage-page.js'

// No `ui.use('*', …)`: mounted at /portal, a wildcard would also catch the JSON API at /portal/api.
export function portalPages(deps: PageDeps, options: PortalOptions = {}): Hono<PortalEnv> {
  const ui = new Hono<PortalEnv>()
  const kit = portalPageKit(deps)

  ui.get('/', htmlPolicy(), async (c) => {
    const session = await findPortalSession(deps, c)
    const brand = await loadBrand(deps.store)
    if (!session) return c.html(<PortalLoginPage flash={takeFlash(c, 'portal')} brand={brand} />)
    useSession(c, session)
    c.set('brand', brand)
    return renderHome(c, kit)
  })
  portalLoginRoutes(ui, kit, options)
  // Before any `/invoices/:id` page, which would otherwise take `<id>.pdf` for an id.
  invoicePdfRoute(ui, kit)
  topUpRoutes(ui, kit)
  orderPageRoutes(ui, kit)
  balanceRoutes(ui, kit)
  autoTopUpRoutes(ui, kit)
  historyRoutes(ui, kit)
  usagePageRoutes(ui, kit)
  alertsRoutes(ui, kit)
  // Only the customer's own changes: another subscriber's activity is none of this page's business.
  ui.get('/events', kit.stream, (c) => {
    const ownId = c.var.subscriberId
    return changeStream(c, deps.changes, {
      filter: (change) => change.kind === 'subscribers' && change.ids.includes(ownId),
      // Per customer, however many sessions they log in with.
      viewer: `subscriber:${ownId}`,
    })
  })
  return ui
}
