/** The fields of the plan forms (new and edit), pre-filled from a plan when editing; and how a plan's terms read. */
import { DEFAULT_NOTIFY_AT_PERCENT, type Plan } from '../store/entities.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { Field } from '../ui/forms.js'
import { PLAN_LABELS } from './catalog-forms.js'
import { PlanTermsFields } from './plan-terms-fields.js'

/** `prefix` keeps the field ids unique on the page. */
export function PlanFields({ prefix, plan }: { prefix: string; plan?: Plan }) {
  return (
    <>
      <Field id={`${prefix}-name`} name="name" label={PLAN_LABELS.name} required value={plan?.name} />
      <DataAmountField
        id={`${prefix}-cap`}
        name="capBytes"
        label={PLAN_LABELS.capBytes}
        required
        bytes={plan?.capBytes}
        placeholder="100"
        hint="A number, such as 100 or 1.5, and its unit (1 GB = 1000 MB)."
      />
      <PlanTermsFields prefix={prefix} plan={plan} />
      <Field
        id={`${prefix}-alerts`}
        name="notifyAtPercent"
        label={PLAN_LABELS.notifyAtPercent}
        value={(plan?.notifyAtPercent ?? DEFAULT_NOTIFY_AT_PERCENT).join(', ')}
        placeholder="80, 100"
        hint="Subscribers are told when their usage reaches these percentages of their allowance (cap plus top-ups); 100 is the cap itself. Empty: no usage alerts."
      />
    </>
  )
}

/** "80 %, 100 %" or "None". */
export const alertsText = (plan: Plan) => {
  const list = plan.notifyAtPercent ?? DEFAULT_NOTIFY_AT_PERCENT
  return list.length === 0 ? 'None' : list.map((p) => `${p} %`).join(', ')
}
