/** The plan and top-up plan forms' fields, read into the API's inputs and checked by the API's schemas. */
import { CreatePlan, CreateTopUpPlan, MAX_USAGE_ALERTS } from '../api/schemas.js'
import { TINY_BELOW_BYTES } from '../api/tiny-bytes.js'
import type { PlanInput, TopUpPlanInput } from '../domain/plans.js'
import { dataAmountField } from '../ui/data-amount.js'
import { FormCheck, type IssueMessage, textMessage } from '../ui/form-check.js'
import { fieldError } from '../ui/form-refusal.js'
import { type FormFields, moneyValue, wholeNumberValue } from '../ui/form-values.js'
import { TERM_LABELS, TERM_MESSAGES, termsFromForm } from './plan-terms-form.js'

export const PLAN_LABELS = {
  name: 'Name',
  capBytes: 'Data cap',
  notifyAtPercent: 'Usage alerts at (%)',
  ...TERM_LABELS,
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

const NAME = textMessage('Enter a name.', 100)
const ALERTS =
  'Enter whole percentages from 1 to 100 separated by commas, such as 80, 100, or leave it empty for none.'

/** What each field says when the API's schema refuses it (its own words are for API clients). */
const PLAN_MESSAGES: Readonly<Record<string, IssueMessage>> = {
  ...TERM_MESSAGES,
  name: NAME,
  capBytes: 'Enter the data cap as a number, e.g. 100, and choose its unit.',
  notifyAtPercent: (issue) =>
    issue.code === 'too_big' && issue.origin === 'array'
      ? `List at most ${MAX_USAGE_ALERTS} percentages.`
      : issue.code === 'custom'
        ? 'List each percentage once.'
        : ALERTS,
}

const TOPUP_PLAN_MESSAGES: Record<keyof typeof TOPUP_PLAN_LABELS, IssueMessage> = {
  name: NAME,
  bytes: 'Enter the data amount as a number, e.g. 5, and choose its unit.',
  price: 'Enter a price of 0 or more, such as 10.00.',
  validityDays: 'Enter a whole number of days from 1 to 366, or leave it empty.',
  tax: 'Enter a tax rate from 0 to 100 with at most 2 decimals, such as 16 or 7.5, or leave it empty for no tax.',
  taxInclusive: 'Choose whether the price includes the tax or the tax is added to it.',
}

/**
 * A plan from the form, checked by the API's schema. Terms whose box was left empty come back as
 * `null`, so an edit clears them (see plan-terms-form.ts).
 */
export function planFromForm(form: FormFields): PlanInput {
  const check = new FormCheck()
  const terms = termsFromForm(form, check)
  const capBytes = check.read(() =>
    dataAmountField(form, 'capBytes', PLAN_LABELS.capBytes, { minBytes: TINY_BELOW_BYTES }),
  )
  const notifyAtPercent = check.read(() => percentList(form.notifyAtPercent))
  const cleared = Object.fromEntries(Object.entries(terms).filter(([, v]) => v === null))
  const given = Object.fromEntries(Object.entries(terms).filter(([, v]) => v !== null))
  const input = {
    name: form.name ?? '',
    capBytes,
    ...given,
    ...(notifyAtPercent === undefined ? {} : { notifyAtPercent }),
  }
  const checked = check.schema(CreatePlan, input, PLAN_MESSAGES, PLAN_LABELS)
  return { ...check.done(checked), ...cleared }
}

/**
 * "80, 100" → [80, 100]; an empty box = no alerts. A form without the box (an older page) leaves
 * them as they are. The API's schema checks the range, the count and repeats.
 */
function percentList(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.replace(/%$/, ''))
    .filter((p) => p !== '')
  if (!parts.every((p) => /^\d{1,3}$/.test(p))) {
    throw fieldError('notifyAtPercent', PLAN_LABELS.notifyAtPercent, ALERTS)
  }
  return parts.map(Number)
}

/** A top-up plan from the form; an empty "Valid for (days)" = to the end of the billing period. */
export function topUpPlanFromForm(form: FormFields, currency: string): TopUpPlanInput {
  const check = new FormCheck()
  const validityDays = check.read(() =>
    wholeNumberValue(form.validityDays, 'validityDays', TOPUP_PLAN_LABELS.validityDays),
  )
  const input = {
    name: form.name ?? '',
    bytes: check.read(() =>
      dataAmountField(form, 'bytes', TOPUP_PLAN_LABELS.bytes, { minBytes: TINY_BELOW_BYTES }),
    ),
    price: check.read(() => moneyValue(form.price, currency, 'price', TOPUP_PLAN_LABELS.price)),
    ...(validityDays === undefined ? {} : { validityDays }),
    ...check.read(() => taxFromForm(form)),
  }
  return check.done(check.schema(CreateTopUpPlan, input, TOPUP_PLAN_MESSAGES, TOPUP_PLAN_LABELS))
}

/** An empty rate = untaxed; the API's schema checks the range and the decimals. */
function taxFromForm(form: FormFields): { tax?: { ratePercent: number; inclusive: boolean } } {
  const text = form.taxRatePercent?.trim().replace(/%$/, '').trim()
  if (!text) return {}
  const ratePercent = Number(text)
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text) || ratePercent > 100) {
    throw fieldError('taxRatePercent', TOPUP_PLAN_LABELS.tax, TOPUP_PLAN_MESSAGES.tax as string)
  }
  const inclusive = form.taxInclusive !== 'exclusive'
  return { tax: { ratePercent, inclusive } }
}
