/** The plan and top-up plan forms' fields, read into the API's inputs and checked by the API's schemas. */
import { CreatePlan, CreateTopUpPlan } from '../api/schemas.js'
import { TINY_BELOW_BYTES } from '../api/tiny-bytes.js'
import type { PlanInput, TopUpPlanInput } from '../domain/plans.js'
import { dataAmountField } from '../ui/data-amount.js'
import { checkedAs } from '../ui/form-input.js'
import { type FormFields, fieldError, moneyValue, wholeNumberValue } from '../ui/form-values.js'

export const PLAN_LABELS = {
  name: 'Name',
  capBytes: 'Data cap',
  onCap: 'At the cap',
  throttleKbps: 'Throttle rate (kbit/s)',
} as const

export const TOPUP_PLAN_LABELS = {
  name: 'Name',
  bytes: 'Data amount',
  price: 'Price',
  validityDays: 'Valid for (days)',
  /** The form's one free tax box is the rate (labels go by the field's first path segment). */
  tax: 'Tax rate (%)',
  taxInclusive: 'Tax is',
} as const

/**
 * A plan from the form. The rate box is read only for Throttle: an edit page pre-fills it, and
 * switching such a plan to Block should not need clearing it first.
 */
export function planFromForm(form: FormFields): PlanInput {
  const onCap = form.onCap
  const throttleKbps =
    onCap === 'throttle' ? wholeNumberValue(form.throttleKbps, PLAN_LABELS.throttleKbps) : undefined
  if (onCap === 'throttle' && throttleKbps === undefined) {
    throw fieldError(PLAN_LABELS.throttleKbps, 'enter the rate subscribers are slowed to at the cap')
  }
  return checkedAs(
    CreatePlan,
    {
      name: form.name ?? '',
      capBytes: dataAmountField(form, 'capBytes', PLAN_LABELS.capBytes, { minBytes: TINY_BELOW_BYTES }),
      onCap,
      ...(throttleKbps === undefined ? {} : { throttleKbps }),
    },
    PLAN_LABELS,
  )
}

/** A top-up plan from the form; an empty "Valid for (days)" = to the end of the billing period. */
export function topUpPlanFromForm(form: FormFields, currency: string): TopUpPlanInput {
  const validityDays = wholeNumberValue(form.validityDays, TOPUP_PLAN_LABELS.validityDays)
  return checkedAs(
    CreateTopUpPlan,
    {
      name: form.name ?? '',
      bytes: dataAmountField(form, 'bytes', TOPUP_PLAN_LABELS.bytes, { minBytes: TINY_BELOW_BYTES }),
      price: moneyValue(form.price, currency, TOPUP_PLAN_LABELS.price),
      ...(validityDays === undefined ? {} : { validityDays }),
      ...taxFromForm(form),
    },
    TOPUP_PLAN_LABELS,
  )
}

/** An empty rate = untaxed; the API's schema checks the range and the decimals. */
function taxFromForm(form: FormFields): { tax?: { ratePercent: number; inclusive: boolean } } {
  const text = form.taxRatePercent?.trim().replace(/%$/, '').trim()
  if (!text) return {}
  const ratePercent = Number(text)
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(ratePercent)) {
    throw fieldError(
      TOPUP_PLAN_LABELS.tax,
      'enter a percentage such as 16 or 7.5, or leave it empty for no tax',
    )
  }
  const inclusive = form.taxInclusive !== 'exclusive'
  return { tax: { ratePercent, inclusive } }
}
