/** The ISP's billing settings: what paid top-ups produce, and what an operator's top-up is charged to by default. */
import { z } from 'zod'
import { audit } from '../domain/audit.js'
import { billingSettings, setBillingSettings } from '../domain/billing-settings.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { readJson } from './validate.js'

export const BillingSettingsBody = z.strictObject({
  paidTopUps: z.enum(['invoice', 'proforma']),
  operatorTopUps: z.enum(['balance_now', 'next_invoice']),
})

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
}
