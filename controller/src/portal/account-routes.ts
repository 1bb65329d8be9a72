/**
 * The logged-in customer's own account. No route takes a subscriber id: every one reads or
 * changes `c.var.subscriberId`, the session's subscriber, so there is no id to swap for another's.
 */
import type { Hono } from 'hono'
import type { ApiDeps } from '../api/app-env.js'
import { usageCsvResponse } from '../api/usage-csv-response.js'
import { invoiceView, topUpView } from '../api/views.js'
import { loadMeView } from './me-view.js'
import { type PortalEnv, portalSession } from './portal-auth.js'

export function accountRoutes(api: Hono<PortalEnv>, deps: ApiDeps): void {
  const { store, env } = deps
  const session = portalSession(deps)

  api.get('/me', session, async (c) =>
    c.json(await store.transact((tx) => loadMeView(tx, env, c.var.session))),
  )

  api.get('/topups', session, async (c) => {
    const items = await store.transact((tx) => tx.topUps.forSubscriber(c.var.subscriberId))
    return c.json({ items: items.map(topUpView) })
  })

  api.get('/usage.csv', session, (c) => usageCsvResponse(c, deps, c.var.subscriberId))

  api.get('/invoices', session, async (c) => {
    const items = await store.transact((tx) => tx.invoices.forSubscriber(c.var.subscriberId))
    return c.json({ items: items.map(invoiceView) })
  })
}
