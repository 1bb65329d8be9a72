/** The operator's auto top-up form: which plan, how many per period, at what remaining data, and the customer's say. */
import type { TopUpPlan } from '../store/entities.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { Checkbox, Field, Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import type { SubscriberPageData } from './subscriber-page-data.js'
import { priceText } from './topup-plan-form.js'

export const offerLabel = (p: TopUpPlan) =>
  `${p.name} — ${priceText(p)}${p.retiredAtMs === undefined ? '' : ' (retired)'}`

export function AutoTopUpForm({ d, csrf, action }: { d: SubscriberPageData; csrf: string; action: string }) {
  const auto = d.sub.autoTopUp
  // A retired plan still set for auto top-up stays visible, so saving does not silently change it.
  const autoOffers = d.autoPlan && d.autoPlan.retiredAtMs !== undefined ? [...d.offers, d.autoPlan] : d.offers
  return (
    <NamedForm id="auto-topup" title="Auto top-up" action={action} csrf={csrf} submit="Save auto top-up">
      <Checkbox
        id="auto-enabled"
        name="enabled"
        label="Auto top-up enabled"
        checked={auto?.enabled ?? false}
      />
      <Select
        id="auto-plan"
        name="topUpPlanId"
        label="Top-up plan"
        options={[
          { value: '', label: 'Choose a top-up plan' },
          ...autoOffers.map((p) => ({ value: p.id, label: offerLabel(p) })),
        ]}
        value={auto?.topUpPlanId ?? ''}
        hint="Charged to the account balance."
      />
      <Field
        id="auto-max"
        name="maxPerPeriod"
        label="Maximum per period"
        type="number"
        min={1}
        max={100}
        value={auto?.maxPerPeriod ?? 1}
      />
      <DataAmountField
        id="auto-threshold"
        name="thresholdBytes"
        label="Top up when remaining data is at most"
        bytes={auto?.thresholdBytes ?? 0}
        hint="0 = when the limit is reached."
      />
      <Checkbox
        id="auto-customer"
        name="customerMayChange"
        label="Customer may change these settings in the portal"
        checked={auto?.customerMayChange ?? false}
      />
    </NamedForm>
  )
}
