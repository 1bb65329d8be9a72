/** The plan and top-up plan forms' fields, read into the API's inputs and checked by the API's schemas. */
import { CreatePlan, CreateTopUpPlan } from '../api/schemas.js'
import type { PlanInput, TopUpPlanInput } from '../domain/plans.js'
import { ApiError } from '../errors.js'
import { bytesField, checkedAs, moneyField, wholeNumberField } from '../ui/form-values.js'

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
} as const

type Form = Record<string, string>

/**
 * A plan from the form. The rate box is read only for Throttle: an edit page pre-fills it, and
 * switching such a plan to Block should not need clearing it first.
 */
export function planFromForm(form: Form): PlanInput {
  const onCap = form.onCap
  const throttleKbps =
    onCap === 'throttle' ? wholeNumberField(form.throttleKbps, PLAN_LABELS.throttleKbps) : undefined
  if (onCap === 'throttle' && throttleKbps === undefined) {
    throw new ApiError(
      400,
      'invalid_request',
      `${PLAN_LABELS.throttleKbps}: enter the rate subscribers are slowed to at the cap`,
    )
  }
  return checkedAs(
    CreatePlan,
    {
      name: form.name ?? '',
      capBytes: bytesField(form.capBytes, PLAN_LABELS.capBytes),
      onCap,
      ...(throttleKbps === undefined ? {} : { throttleKbps }),
    },
    PLAN_LABELS,
  )
}

/** A top-up plan from the form; an empty "Valid for (days)" = to the end of the billing period. */
export function topUpPlanFromForm(form: Form, currency: string): TopUpPlanInput {
  const validityDays = wholeNumberField(form.validityDays, TOPUP_PLAN_LABELS.validityDays)
  return checkedAs(
    CreateTopUpPlan,
    {
      name: form.name ?? '',
      bytes: bytesField(form.bytes, TOPUP_PLAN_LABELS.bytes),
      price: moneyField(form.price, currency, TOPUP_PLAN_LABELS.price),
      ...(validityDays === undefined ? {} : { validityDays }),
    },
    TOPUP_PLAN_LABELS,
  )
}
