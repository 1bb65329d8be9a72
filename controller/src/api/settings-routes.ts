/** The ISP's billing settings: what paid top-ups produce, and what an operator's top-up is charged to by default. */
import { z } from 'zod'
import { defaultDrawOrder, setDefaultDrawOrder } from '../domain/allowance-settings.js'
import { audit } from '../domain/audit.js'
import { billingSettings, setBillingSettings } from '../domain/billing-settings.js'
import type { ApiDeps } from './app-env.js'
import { DrawOrderInput } from './plan-terms-schemas.js'
import type { DocumentedRouter } from './router.js'
import { readJson } from './validate.js'

export const BillingSettingsBody = z.strictObject({
  paidTopUps: z.enum(['invoice', 'proforma']),
  operatorTopUps: z.enum(['balance_now', 'next_invoice']),
})

/** The ISP's default draw order; a plan's own `drawOrder` overrides it. */
export const AllowanceSettingsBody = z.strictObject({ drawOrder: DrawOrderInput })

export function settingsRoutes(r: DocumentedRouter, { store, env }: ApiDeps): void {
  r.add(
    { method: 'get', path: '/settings/billing', summary: 'Read the billing settings', status: 200 },
    async (c) => c.json(await store.transact((tx) => billingSettings(tx))),
  )
  r.add(
    {
      method: 'put',
      path: '/settings/billing',
      summary: 'Set the billing settings (both fields)',
      body: BillingSettingsBody,
      status: 200,
    },
    async (c) => {
      const input = await readJson(c, BillingSettingsBody)
      const saved = await store.transact(async (tx) => {
        await setBillingSettings(tx, env, input)
        await audit(tx, env, c.var.actor, 'settings.billing', 'settings', 'billing', input)
        return billingSettings(tx)
      })
      return c.json(saved)
    },
  )
  r.add(
    {
      method: 'get',
      path: '/settings/allowance',
      summary: "Read the allowance settings (the ISP's default draw order)",
      status: 200,
    },
    async (c) => c.json({ drawOrder: await store.transact((tx) => defaultDrawOrder(tx)) }),
  )
  r.add(
    {
      method: 'put',
      path: '/settings/allowance',
      summary: "Set the ISP's default draw order: plan data or top-ups first (plans may override it)",
      body: AllowanceSettingsBody,
      status: 200,
    },
    async (c) => {
      const input = await readJson(c, AllowanceSettingsBody)
      const saved = await store.transact(async (tx) => {
        await setDefaultDrawOrder(tx, env, input.drawOrder)
        await audit(tx, env, c.var.actor, 'settings.allowance', 'settings', 'allowance', input)
        return { drawOrder: await defaultDrawOrder(tx) }
      })
      return c.json(saved)
    },
  )
}
