/** The fields of the plan forms (new and edit), pre-filled from a plan when editing; and how a plan's terms read. */
import { DEFAULT_NOTIFY_AT_PERCENT, type Plan } from '../store/entities.js'
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

/** "Block" or "Throttle to 512 kbit/s". */
export const onCapText = (plan: Plan) =>
  plan.onCap === 'throttle' ? `Throttle to ${plan.throttleKbps ?? '?'} kbit/s` : 'Block'
