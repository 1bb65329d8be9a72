/** The customer portal's pages under /portal (phone first): login, remaining data, buy a top-up, history. */
import { Hono } from 'hono'
import type { PageDeps } from '../api/app-env.js'
import { changeStream } from '../live/change-stream.js'
import type { PortalOptions } from '../portal/portal-api.js'
import { findPortalSession, type PortalEnv, useSession } from '../portal/portal-auth.js'
import { takeFlash } from '../ui/flash.js'
import { htmlPolicy } from '../ui/html-policy.js'
import { autoTopUpRoutes } from './auto-topup-routes.js'
import { historyRoutes } from './history-page.js'
import { orderPageRoutes } from './order-page.js'
import { renderHome } from './portal-home.js'
import { portalLoginRoutes } from './portal-login.js'
import { PortalLoginPage } from './portal-login-page.js'
import { portalPageKit } from './portal-page-auth.js'
import { topUpRoutes } from './topup-routes.js'

// No `ui.use('*', …)`: mounted at /portal, a wildcard would also catch the JSON API at /portal/api.
export function portalPages(deps: PageDeps, options: PortalOptions = {}): Hono<PortalEnv> {
  const ui = new Hono<PortalEnv>()
  const kit = portalPageKit(deps)

  ui.get('/', htmlPolicy(), async (c) => {
    const session = await findPortalSession(deps, c)
    if (!session) return c.html(<PortalLoginPage flash={takeFlash(c, 'portal')} />)
    useSession(c, session)
    return renderHome(c, kit)
  })
  portalLoginRoutes(ui, kit, options)
  topUpRoutes(ui, kit)
  orderPageRoutes(ui, kit)
  autoTopUpRoutes(ui, kit)
  historyRoutes(ui, kit)
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
