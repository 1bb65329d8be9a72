/** The admin's billing settings: what paid top-ups produce, and what an operator's top-up is charged to by default. */
import type { Hono } from 'hono'
import { BillingSettingsBody } from '../api/settings-routes.js'
import { audit } from '../domain/audit.js'
import { type BillingSettings, billingSettings, setBillingSettings } from '../domain/billing-settings.js'
import { formAction } from '../ui/form-action.js'
import { FormCheck } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'

const LABELS = {
  paidTopUps: 'Top-ups paid first (card, M-Pesa, offline)',
  operatorTopUps: 'Operator top-ups',
}

export function billingSettingsPage(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps

  ui.get('/settings/billing', kit.pageFor('settings'), async (c) => {
    const s = await store.transact((tx) => billingSettings(tx))
    const f = frame(c)
    return c.html(
      <OperatorPage {...f} title="Billing settings" section="settings">
        <h1>Billing settings</h1>
        <SettingsForm s={s} csrf={f.csrf} />
      </OperatorPage>,
    )
  })

  ui.post('/settings/billing', kit.action('settings'), (c) =>
    formAction(c, 'operator', '/settings/billing', async () => {
      const form = await readForm(c)
      const check = new FormCheck()
      const input = check.done(
        check.schema(
          BillingSettingsBody,
          { paidTopUps: form.paidTopUps, operatorTopUps: form.operatorTopUps },
          {
            paidTopUps: 'Choose what a top-up paid first produces.',
            operatorTopUps: 'Choose what Charge to starts on.',
          },
          LABELS,
        ),
      )
      await store.transact(async (tx) => {
        await setBillingSettings(tx, env, input)
        await audit(tx, env, c.var.actor, 'settings.billing', 'settings', 'billing', input)
      })
      return { message: 'Billing settings saved.' }
    }),
  )
}

function SettingsForm({ s, csrf }: { s: BillingSettings; csrf: string }) {
  return (
    <NamedForm
      id="billing-settings"
      title="Invoicing"
      action="/settings/billing"
      csrf={csrf}
      submit="Save settings"
    >
      <Select
        id="paid-topups"
        name="paidTopUps"
        label={LABELS.paidTopUps}
        value={s.paidTopUps}
        options={[
          { value: 'invoice', label: 'A paid invoice when the payment arrives' },
          { value: 'proforma', label: 'A pro-forma when ordered, replaced by the invoice when paid' },
        ]}
      />
      <Select
        id="operator-topups"
        name="operatorTopUps"
        label={LABELS.operatorTopUps}
        value={s.operatorTopUps}
        hint="The default of the Charge to choice on the subscriber page. The next invoice is an open invoice issued with the top-up, paid later against it."
        options={[
          { value: 'next_invoice', label: 'Add to the next invoice' },
          { value: 'balance_now', label: 'Charge to the account balance now' },
        ]}
      />
    </NamedForm>
  )
}
