/** The fields of the top-up plan forms (new and edit), pre-filled from a top-up plan when editing. */
import { formatMoney } from '@capd/protocol'
import { grossOf } from '../domain/tax.js'
import type { TopUpPlan } from '../store/entities.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { moneyInputValue } from '../ui/form-prefill.js'
import { Field, Select } from '../ui/forms.js'
import { TOPUP_PLAN_LABELS } from './catalog-forms.js'

/** `prefix` keeps the field ids unique on the page. */
export function TopUpPlanFields({
  prefix,
  plan,
  currency,
}: {
  prefix: string
  plan?: TopUpPlan
  currency: string
}) {
  return (
    <>
      <Field id={`${prefix}-name`} name="name" label={TOPUP_PLAN_LABELS.name} required value={plan?.name} />
      <DataAmountField
        id={`${prefix}-bytes`}
        name="bytes"
        label={TOPUP_PLAN_LABELS.bytes}
        required
        bytes={plan?.bytes}
        placeholder="5"
        hint="A number, such as 5 or 1.5, and its unit (1 GB = 1000 MB)."
      />
      <Field
        id={`${prefix}-price`}
        name="price"
        label={TOPUP_PLAN_LABELS.price}
        required
        inputmode="decimal"
        value={plan ? moneyInputValue(plan.price) : undefined}
        placeholder="5.00"
        hint={`In ${currency}, such as 5.00.`}
      />
      <Field
        id={`${prefix}-validity`}
        name="validityDays"
        label={TOPUP_PLAN_LABELS.validityDays}
        type="number"
        inputmode="numeric"
        min={1}
        max={366}
        step="1"
        value={plan?.validityDays}
        hint="Empty = to the end of the billing period it is bought in."
      />
      <Field
        id={`${prefix}-tax-rate`}
        name="taxRatePercent"
        label={TOPUP_PLAN_LABELS.tax}
        inputmode="decimal"
        value={plan?.tax ? String(plan.tax.rateBp / 100) : undefined}
        placeholder="16"
        hint="Such as 16 or 7.5 (at most 2 decimals). Empty = no tax."
      />
      <Select
        id={`${prefix}-tax-inclusive`}
        name="taxInclusive"
        label={TOPUP_PLAN_LABELS.taxInclusive}
        options={[
          { value: 'inclusive', label: 'Included in the price (VAT-style)' },
          { value: 'exclusive', label: 'Added to the price' },
        ]}
        value={plan?.tax && !plan.tax.inclusive ? 'exclusive' : 'inclusive'}
      />
    </>
  )
}

/** How a plan's tax reads beside its price: "incl. 16% VAT", "+16% tax", or nothing. */
export const taxText = (plan: Pick<TopUpPlan, 'tax'>) =>
  !plan.tax
    ? ''
    : plan.tax.inclusive
      ? `incl. ${plan.tax.rateBp / 100}% VAT`
      : `+${plan.tax.rateBp / 100}% tax`

/** "$10.00 +16% tax (customer pays $11.60)", "$10.00 incl. 16% VAT", "$10.00". */
export function priceText(plan: Pick<TopUpPlan, 'tax' | 'price'>): string {
  const listed = formatMoney(plan.price)
  if (!plan.tax) return listed
  if (plan.tax.inclusive) return `${listed} ${taxText(plan)}`
  return `${listed} ${taxText(plan)} (customer pays ${formatMoney(grossOf(plan.price, plan.tax))})`
}

/** "7 days", or until the period ends. */
export const validityText = (plan: TopUpPlan) =>
  plan.validityDays === undefined
    ? 'To the end of the billing period'
    : `${plan.validityDays} day${plan.validityDays === 1 ? '' : 's'}`
