/**
 * The customer's usage page (`/portal/usage`): the period's daily usage with their buckets, the
 * hours of a day, and their own CSV (`/portal/usage.csv`). The session names the subscriber: no
 * route takes an id, so no one can ask for another's.
 */
import type { Hono } from 'hono'
import { usageCsvResponse } from '../api/usage-csv-response.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import { loadUsageCharts } from '../ui/usage-history-data.js'
import { UsageHistorySection } from '../ui/usage-history-section.js'
import { PortalPage } from './portal-layout.js'
import { type PortalPageKit, portalFrame } from './portal-page-auth.js'

export function usagePageRoutes(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  const { store, env } = kit.deps
  ui.get('/usage.csv', kit.page, (c) => usageCsvResponse(c, kit.deps, c.var.subscriberId))
  ui.get('/usage', kit.page, async (c) => {
    const id = c.var.subscriberId
    const h = await store.peek(async (tx) => {
      const sub = await tx.subscribers.get(id)
      const plan = sub && (await tx.plans.get(sub.planId))
      if (!sub || !plan) throw new Error(`subscriber ${id} or its plan is missing`)
      return loadUsageCharts(tx, env, sub, plan, await tx.topUps.forSubscriber(id), c.req.query('day'))
    })
    return c.html(
      <PortalPage title="Usage" {...portalFrame(c)}>
        <h1>Your usage</h1>
        <UsageHistorySection
          h={h}
          timeZone={env.timeZone}
          pagePath="/portal/usage#usage-history"
          csvPath="/portal/usage.csv"
        />
        <p>
          <a href="/portal">Back to your data</a>
        </p>
      </PortalPage>,
    )
  })
}
