/** The fields of the top-up plan forms (new and edit), pre-filled from a top-up plan when editing. */
import type { TopUpPlan } from '../store/entities.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { moneyInputValue } from '../ui/form-prefill.js'
import { Field } from '../ui/forms.js'
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
    </>
  )
}

/** "7 days", or until the period ends. */
export const validityText = (plan: TopUpPlan) =>
  plan.validityDays === undefined
    ? 'To the end of the billing period'
    : `${plan.validityDays} day${plan.validityDays === 1 ? '' : 's'}`
