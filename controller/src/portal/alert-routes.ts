/** The customer's alert choices over the JSON API: read and replace their own, nobody else's. */
import type { Hono } from 'hono'
import { z } from 'zod'
import type { ApiDeps } from '../api/app-env.js'
import { readJson } from '../api/validate.js'
import { alertChoicesOf, setAlertChoices } from '../domain/alert-choices.js'
import { ApiError } from '../errors.js'
import { csrfToken, type PortalEnv, portalSession, sameSiteOnly } from './portal-auth.js'

/** Strict and whole: a PUT names all three, so a client's typo is refused rather than read as "off". */
export const PortalAlertChoices = z.strictObject({
  email: z.boolean(),
  sms: z.boolean(),
  receipts: z.boolean(),
})

export function alertRoutes(api: Hono<PortalEnv>, deps: ApiDeps): void {
  const { store, env } = deps
  const session = portalSession(deps)

  api.get('/alerts', session, async (c) => {
    const sub = await store.peek((tx) => tx.subscribers.get(c.var.subscriberId))
    if (!sub) throw new ApiError(401, 'unauthorized', 'log in to the portal first')
    return c.json(alertChoicesOf(sub))
  })

  api.put('/alerts', sameSiteOnly(), session, csrfToken(), async (c) => {
    const input = await readJson(c, PortalAlertChoices)
    const sub = await store.transact((tx) => setAlertChoices(tx, env, c.var.actor, c.var.subscriberId, input))
    return c.json(alertChoicesOf(sub))
  })
}
