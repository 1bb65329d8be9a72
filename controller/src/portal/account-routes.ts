/**
 * The logged-in customer's own account. No route takes a subscriber id: every one reads or
 * changes `c.var.subscriberId`, the session's subscriber, so there is no id to swap for another's.
 */
import type { Hono } from 'hono'
import { z } from 'zod'
import type { ApiDeps } from '../api/app-env.js'
import { requireIdempotencyKey, respondOnce, topUpAnswer } from '../api/idempotent-route.js'
import { readJson } from '../api/validate.js'
import { invoiceView, topUpView } from '../api/views.js'
import { createTopUp } from '../domain/topups.js'
import { ApiError } from '../errors.js'
import { loadMeView } from './me-view.js'
import { csrfToken, type PortalEnv, portalSession, sameSiteOnly } from './portal-auth.js'

/** Strict: a body naming anything else (a `subscriberId`, say) is refused, not quietly ignored. */
export const PortalTopUp = z.strictObject({
  topUpPlanId: z.string().min(1).max(100),
  pay: z.enum(['balance', 'card']),
})

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

  api.get('/invoices', session, async (c) => {
    const items = await store.transact((tx) => tx.invoices.forSubscriber(c.var.subscriberId))
    return c.json({ items: items.map(invoiceView) })
  })

  api.post('/topups', sameSiteOnly(), session, csrfToken(), async (c) => {
    // Required here: a customer's double click or a flaky mobile connection must not buy twice.
    requireIdempotencyKey(c, 'send an Idempotency-Key header with a top-up')
    const input = await readJson(c, PortalTopUp)
    if (input.pay === 'card') {
      throw new ApiError(501, 'not_implemented', 'card payments arrive with the billing integration')
    }
    const id = c.var.subscriberId
    const topUp = { topUpPlanId: input.topUpPlanId, chargeTo: 'balance' } as const
    const response = await respondOnce(c, deps, input, async (tx) =>
      topUpAnswer(tx, env, await createTopUp(tx, env, c.var.actor, 'portal', id, topUp)),
    )
    return response
  })
}
