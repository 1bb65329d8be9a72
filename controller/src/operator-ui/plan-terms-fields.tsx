/** The plan form's allowance fields (counts, at the cap, normal speed, use first, roll over, free hours), pre-filled when editing. */
import { capActionOf } from '../domain/cap-terms.js'
import type { Plan } from '../store/entities.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { Checkbox, Field, Select } from '../ui/forms.js'
import { FREE_HOUR_ROWS, TERM_LABELS } from './plan-terms-form.js'
import { CAP_CHOICES, COUNT_CHOICES, DRAW_ORDER_CHOICES } from './plan-terms-text.js'

const DRAW_ORDER_OPTIONS = [{ value: '', label: "The ISP's default (see Settings)" }, ...DRAW_ORDER_CHOICES]

const kbpsField = { type: 'number', inputmode: 'numeric', min: 1, step: '1' } as const

/** `prefix` keeps the field ids unique on the page. */
export function PlanTermsFields({ prefix, plan }: { prefix: string; plan?: Plan | undefined }) {
  const action = plan ? capActionOf(plan) : undefined
  const capChoice =
    action?.kind === 'throttle_kbps'
      ? 'throttle'
      : action?.kind === 'throttle_percent'
        ? 'throttle_percent'
        : 'block'
  const rollover = plan?.rollover
  return (
    <>
      <Select
        id={`${prefix}-count`}
        name="count"
        label={TERM_LABELS.count}
        options={COUNT_CHOICES}
        value={plan?.count ?? 'both'}
        hint="Which traffic uses up the data. Both directions are always counted and shown."
      />
      <Select
        id={`${prefix}-on-cap`}
        name="onCap"
        label={TERM_LABELS.onCap}
        options={CAP_CHOICES}
        value={capChoice}
        hint="Block stops the subscriber's traffic until a top-up or the next period; the other two slow it down."
      />
      <Field
        id={`${prefix}-rate`}
        name="throttleKbps"
        label={TERM_LABELS.throttleKbps}
        {...kbpsField}
        value={action?.kind === 'throttle_kbps' ? action.kbps : undefined}
        hint="Only for Slow to a fixed speed: the speed both ways at the cap."
      />
      <Field
        id={`${prefix}-percent`}
        name="throttlePercent"
        label={TERM_LABELS.throttlePercent}
        type="number"
        inputmode="numeric"
        min={1}
        max={99}
        step="1"
        value={action?.kind === 'throttle_percent' ? action.percent : undefined}
        hint="Only for Slow to a % of the normal speed: 10 slows a 20000 kbit/s plan to 2000 kbit/s."
      />
      <Field
        id={`${prefix}-rate-down`}
        name="rateDownKbps"
        label={TERM_LABELS.rateDownKbps}
        {...kbpsField}
        value={plan?.rateDownKbps}
        hint="The plan's normal speed, which a % slow-down is taken of. Needed for Slow to a % of the normal speed."
      />
      <Field
        id={`${prefix}-rate-up`}
        name="rateUpKbps"
        label={TERM_LABELS.rateUpKbps}
        {...kbpsField}
        value={plan?.rateUpKbps}
        hint="Empty: the same as the download speed."
      />
      <Select
        id={`${prefix}-draw-order`}
        name="drawOrder"
        label={TERM_LABELS.drawOrder}
        options={DRAW_ORDER_OPTIONS}
        value={plan?.drawOrder ?? ''}
        hint="Whether usage is taken from the plan's data or from bought top-ups first. Rolled-over data always goes first."
      />
      <Checkbox
        id={`${prefix}-rollover-plan`}
        name="rolloverPlan"
        label="Roll over unused plan data"
        checked={rollover?.plan ?? false}
      />
      <Checkbox
        id={`${prefix}-rollover-topups`}
        name="rolloverTopUps"
        label="Roll over unused top-up data"
        checked={rollover?.topUps ?? false}
        hint="Top-up data still valid when the period ends moves into the next one."
      />
      <DataAmountField
        id={`${prefix}-rollover-max`}
        name="rolloverMaxBytes"
        label={TERM_LABELS.rolloverMaxBytes}
        bytes={rollover?.maxBytes}
        defaultUnit="GB"
        hint="The most data rolled into one period. Empty: one data cap's worth."
      />
      <Field
        id={`${prefix}-rollover-periods`}
        name="rolloverPeriods"
        label={TERM_LABELS.rolloverPeriods}
        type="number"
        inputmode="numeric"
        min={1}
        max={24}
        step="1"
        value={rollover?.periods ?? 1}
        hint="1: rolled-over data is lost at the end of the period it rolls into."
      />
      {Array.from({ length: FREE_HOUR_ROWS }, (_, i) => {
        const row = i + 1
        const window = plan?.freeHours?.[i]
        return (
          <>
            <Field
              id={`${prefix}-free-from-${row}`}
              name={`freeFrom${row}`}
              label={`Free hours ${row}: from`}
              type="time"
              value={window?.from}
              hint={
                row === 1
                  ? "Usage in these daily hours (the ISP's time zone) is counted and shown but uses no data. An end before the start runs past midnight, such as 23:00 to 06:00. Leave both times empty for none."
                  : undefined
              }
            />
            <Field
              id={`${prefix}-free-to-${row}`}
              name={`freeTo${row}`}
              label={`Free hours ${row}: to`}
              type="time"
              value={window?.to}
            />
          </>
        )
      })}
    </>
  )
}
