/** Where a top-up sold by the operator is charged: the "Charge to" choice, its words, and reading it from a form. */
import type { ChargeTo as Charged, OperatorChargeTo as ChargeTo } from '../store/entities.js'
import { fieldError } from '../ui/form-refusal.js'
import type { FormFields } from '../ui/form-values.js'

export const CHARGE_TO_LABELS: Record<ChargeTo, string> = { invoice: 'Invoice', balance: 'Account balance' }

/** How a top-up was paid, in lists: the operator's two choices, or paid first through an order. */
export const CHARGED_LABELS: Record<Charged, string> = { ...CHARGE_TO_LABELS, order: 'Paid first' }

/** The "Charge to" select's options. */
export const CHARGE_TO = (Object.keys(CHARGE_TO_LABELS) as ChargeTo[]).map((value) => ({
  value,
  label: CHARGE_TO_LABELS[value],
}))

/** The chosen charge; Invoice when the form does not say. */
export function chargeToField(form: FormFields): ChargeTo {
  const value = form.chargeTo ?? 'invoice'
  if (value !== 'invoice' && value !== 'balance')
    throw fieldError('chargeTo', 'Charge to', 'Choose Invoice or Account balance.')
  return value
}
