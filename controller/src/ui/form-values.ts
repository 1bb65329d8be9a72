/** Typed values out of form fields; each refusal is a 400 naming the field by its label. */
import { type Money, parseMoney } from '@capd/protocol'
import { isIdempotencyKey } from '../domain/idempotency.js'
import { ApiError } from '../errors.js'

/** A posted form's fields by name (see readForm). */
export type FormFields = Record<string, string>

/** The hidden field that makes a form act once (see OnceField and runOnce). */
export const IDEMPOTENCY_FIELD = 'idempotencyKey'

export const fieldError = (label: string, message: string) =>
  new ApiError(400, 'invalid_request', `${label}: ${message}`)

/** Runs a parser from @capd/protocol, turning its RangeError into a 400 about `label`. */
function parsed<T>(label: string, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw fieldError(label, err.message)
    throw err
  }
}

/** "5.00" in the controller's currency → money; empty text is refused in the parser's own words. */
export const moneyValue = (text: string | undefined, currency: string, label: string): Money =>
  parsed(label, () => parseMoney(text ?? '', currency))

/** A whole number typed in; empty = undefined. */
export function wholeNumberValue(text: string | undefined, label: string): number | undefined {
  const trimmed = text?.trim() ?? ''
  if (trimmed === '') return undefined
  if (!/^\d{1,15}$/.test(trimmed)) throw fieldError(label, 'enter a whole number')
  return Number(trimmed)
}

/** A field's trimmed text; empty counts as missing. */
export function fieldText(form: FormFields, name: string): string | undefined {
  const value = form[name]?.trim()
  return value ? value : undefined
}

export function optionalText(form: FormFields, name: string, label: string, max: number): string | undefined {
  const value = fieldText(form, name)
  if (value !== undefined && value.length > max) throw fieldError(label, `must be at most ${max} characters`)
  return value
}

export function requiredText(form: FormFields, name: string, label: string): string {
  const value = optionalText(form, name, label, 200)
  if (value === undefined) throw fieldError(label, 'this field is required')
  return value
}

/* Data amounts are read by dataAmountField (data-amount.ts): a number and its unit, never bare bytes. */

/** A required amount, never negative; `positive` refuses 0. */
export function moneyField(
  form: FormFields,
  name: string,
  label: string,
  currency: string,
  opts: { positive: boolean },
): Money {
  const m = moneyValue(requiredText(form, name, label), currency, label)
  if (m.amount < 0) throw fieldError(label, 'must not be negative')
  if (opts.positive && m.amount === 0) throw fieldError(label, 'must be more than 0')
  return m
}

/** A required whole number within `min`–`max`. */
export function wholeNumberField(
  form: FormFields,
  name: string,
  label: string,
  { min, max }: { min: number; max: number },
): number {
  const value = requiredText(form, name, label)
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw fieldError(label, `must be a whole number from ${min} to ${max}`)
  return n
}

/** A ticked checkbox sends "on"; an unticked one sends nothing. */
export const checkbox = (form: FormFields, name: string) => form[name] === 'on'

/** The hidden key of a form that acts once; missing or malformed, the form is not one the page made. */
export function idempotencyKeyField(form: FormFields): string {
  const key = form[IDEMPOTENCY_FIELD] ?? ''
  if (!isIdempotencyKey(key))
    throw new ApiError(400, 'invalid_form', 'the form is incomplete; reload the page and try again')
  return key
}
