/** The customer's auto top-up settings, shown only when the operator lets them change it. */
import type { AutoTopUp } from '../store/entities.js'
import { moneyInputValue } from '../ui/form-prefill.js'
import { RefillForm } from '../ui/form-refill-context.js'
import { bytes, money } from '../ui/format.js'
import { Checkbox, CsrfField, Field, Select } from '../ui/forms.js'
import type { MeView } from './home-view.js'

/** A customer may allow fewer automatic purchases than an operator: a slip cannot spend much. */
export const CUSTOMER_MAX_PER_PERIOD = 10

export interface AutoTopUpFormProps {
  settings: AutoTopUp
  offers: MeView['topUpPlans']
  csrf: string
  currency: string
}

export function AutoTopUpForm({ settings, offers, csrf, currency }: AutoTopUpFormProps) {
  const trigger = settings.trigger
  const threshold = trigger?.kind === 'bytes' ? trigger.bytes : (settings.thresholdBytes ?? 0)
  const when =
    trigger?.kind === 'percent_of_last'
      ? `${trigger.percent}% of your last top-up or less is left`
      : threshold > 0
        ? `${bytes(threshold)} or less is left`
        : 'your data runs out'
  const paidFrom = settings.chargeTo === 'invoice' ? 'put on your next invoice' : 'bought from your balance'
  const cap = settings.spendCapPerPeriod
  return (
    <section>
      <h2 id="auto-topup-title">Auto top-up</h2>
      <form method="post" action="/portal/auto-topup" aria-labelledby="auto-topup-title">
        <CsrfField token={csrf} />
        <RefillForm action="/portal/auto-topup">
          <Checkbox
            id="auto-enabled"
            name="enabled"
            label="Auto top-up enabled"
            checked={settings.enabled}
            hint={`When ${when}, a top-up is ${paidFrom}.`}
          />
          <Select
            id="auto-plan"
            name="topUpPlanId"
            label="Top-up plan"
            options={offers.map((o) => ({ value: o.id, label: `${o.name} — ${money(o.price)}` }))}
            value={settings.topUpPlanId}
          />
          <Field
            id="auto-max"
            name="maxPerPeriod"
            label="Maximum per period"
            type="number"
            inputmode="numeric"
            min={1}
            max={CUSTOMER_MAX_PER_PERIOD}
            value={settings.maxPerPeriod}
            required
            hint={`At most this many automatic top-ups in one billing period (1 to ${CUSTOMER_MAX_PER_PERIOD}).`}
          />
          <Field
            id="auto-spend-cap"
            name="spendCap"
            label="Spend limit per period"
            inputmode="decimal"
            value={cap === undefined ? '' : moneyInputValue({ amount: cap, currency })}
            hint="The most automatic top-ups may cost in one billing period. Empty = no limit."
          />
        </RefillForm>
        <button type="submit" class="button primary wide">
          Save auto top-up
        </button>
      </form>
    </section>
  )
}
