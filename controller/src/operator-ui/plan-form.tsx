/** The fields of the plan forms (new and edit), pre-filled from a plan when editing; and how a plan's terms read. */
import type { Plan } from '../store/entities.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { Field, Select } from '../ui/forms.js'
import { PLAN_LABELS } from './catalog-forms.js'

const ON_CAP = [
  { value: 'block', label: 'Block' },
  { value: 'throttle', label: 'Throttle' },
] as const

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
      <Select
        id={`${prefix}-on-cap`}
        name="onCap"
        label={PLAN_LABELS.onCap}
        options={ON_CAP}
        value={plan?.onCap ?? 'block'}
        hint="Block stops the subscriber's traffic until a top-up or the next period; Throttle slows it down."
      />
      <Field
        id={`${prefix}-rate`}
        name="throttleKbps"
        label={PLAN_LABELS.throttleKbps}
        type="number"
        inputmode="numeric"
        min={1}
        step="1"
        value={plan?.throttleKbps}
        hint="Only for Throttle: the speed subscribers are slowed to at the cap. Ignored for Block."
      />
    </>
  )
}

/** "Block" or "Throttle to 512 kbit/s". */
export const onCapText = (plan: Plan) =>
  plan.onCap === 'throttle' ? `Throttle to ${plan.throttleKbps ?? '?'} kbit/s` : 'Block'
