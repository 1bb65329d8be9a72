/** The operator's auto top-up form: which plan, when, how many and how much per period, how it is billed, and the customer's say. */
import { DEFAULT_MIN_INTERVAL_MS } from '../domain/auto-topup-rules.js'
import type { TopUpPlan } from '../store/entities.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { moneyInputValue } from '../ui/form-prefill.js'
import { Checkbox, Field, Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import type { SubscriberPageData } from './subscriber-page-data.js'
import { priceText } from './topup-plan-form.js'

export const offerLabel = (p: TopUpPlan) =>
  `${p.name} — ${priceText(p)}${p.retiredAtMs === undefined ? '' : ' (retired)'}`

export function AutoTopUpForm({
  d,
  csrf,
  action,
  currency,
}: {
  d: SubscriberPageData
  csrf: string
  action: string
  currency: string
}) {
  const auto = d.sub.autoTopUp
  const trigger = auto?.trigger
  const thresholdBytes = trigger?.kind === 'bytes' ? trigger.bytes : (auto?.thresholdBytes ?? 0)
  const cap = auto?.spendCapPerPeriod
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
      <Select
        id="auto-trigger"
        name="triggerKind"
        label="Top up when"
        options={[
          { value: 'bytes', label: 'the remaining data reaches an amount' },
          { value: 'percent_of_last', label: 'the remaining data reaches a share of the last top-up' },
        ]}
        value={trigger?.kind ?? 'bytes'}
      />
      <DataAmountField
        id="auto-threshold"
        name="thresholdBytes"
        label="Top up when remaining data is at most"
        bytes={thresholdBytes}
        hint="Used with an amount; 0 = when the limit is reached."
      />
      <Field
        id="auto-percent"
        name="triggerPercent"
        label="Share of the last top-up (%)"
        type="number"
        min={1}
        max={100}
        value={trigger?.kind === 'percent_of_last' ? trigger.percent : ''}
        hint="Used with a share: 1 to 100. With no top-up yet this period, of the top-up plan's size."
      />
      <Field
        id="auto-interval"
        name="minIntervalMinutes"
        label="Minimum minutes between two"
        type="number"
        min={0}
        max={10_080}
        value={Math.round((auto?.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS) / 60_000)}
        hint="0 to 10080 (a week). A blocked subscriber is topped up as soon as it has passed."
      />
      <Field
        id="auto-spend-cap"
        name="spendCap"
        label="Spend limit per period"
        inputmode="decimal"
        value={cap === undefined ? '' : moneyInputValue({ amount: cap, currency })}
        hint="Most that auto top-ups may charge in one billing period, tax included. Empty = no limit."
      />
      <Select
        id="auto-charge-to"
        name="chargeTo"
        label="Charge to"
        options={[
          { value: 'balance', label: 'the account balance (not bought without funds)' },
          { value: 'invoice', label: 'the next invoice' },
        ]}
        value={auto?.chargeTo ?? 'balance'}
      />
      <Select
        id="auto-compensate"
        name="compensateOverUsage"
        label="Data used past the limit"
        options={[
          { value: 'on', label: 'is taken from the new top-up' },
          { value: 'off', label: 'is forgiven: the new top-up starts whole' },
        ]}
        value={(auto?.compensateOverUsage ?? true) ? 'on' : 'off'}
      />
      <Field
        id="auto-description"
        name="descriptionTemplate"
        label="Invoice line"
        value={auto?.descriptionTemplate ?? ''}
        hint="{size}, {plan} and {subscriber} are filled in. Empty = “Data top-up: ” and the plan's name."
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
