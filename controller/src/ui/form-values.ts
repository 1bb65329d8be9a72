/** Typed values out of form fields; each refusal is a FormRefusal about its field (see form-check.ts). */
import { type Money, parseMoney } from '@capd/protocol'
import { isIdempotencyKey } from '../domain/idempotency.js'
import { ApiError } from '../errors.js'
import { moneyInputValue } from './form-prefill.js'
import { fieldError } from './form-refusal.js'

export { fieldError }

/** A posted form's fields by name (see readForm). */
export type FormFields = Record<string, string>

/** The hidden field that makes a form act once (see OnceField and runOnce). */
export const IDEMPOTENCY_FIELD = 'idempotencyKey'

/** Runs a parser from @capd/protocol; its RangeError (the API's words) becomes `problem` about the field. */
function parsed<T>(field: string, label: string, problem: string, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw fieldError(field, label, problem)
    throw err
  }
}

/** An amount as the person would type it in `currency`: "10.00", or "1000" where there are no cents. */
const moneyExample = (currency: string) => moneyInputValue({ amount: 1000, currency })

/** "5.00" in the controller's currency → money, from the text of field `field`. */
export const moneyValue = (text: string | undefined, currency: string, field: string, label: string): Money =>
  parsed(field, label, `Enter an amount such as ${moneyExample(currency)}.`, () =>
    parseMoney(text ?? '', currency),
  )

/** A whole number typed into field `field`; empty = undefined. */
export function wholeNumberValue(text: string | undefined, field: string, label: string): number | undefined {
  const trimmed = text?.trim() ?? ''
  if (trimmed === '') return undefined
  if (!/^\d{1,15}$/.test(trimmed)) throw fieldError(field, label, 'Enter a whole number, such as 7.')
  return Number(trimmed)
}

/** A field's trimmed text; empty counts as missing. */
export function fieldText(form: FormFields, name: string): string | undefined {
  const value = form[name]?.trim()
  return value ? value : undefined
}

export function optionalText(form: FormFields, name: string, label: string, max: number): string | undefined {
  const value = fieldText(form, name)
  if (value !== undefined && value.length > max)
    throw fieldError(name, label, `Use at most ${max} characters.`)
  return value
}

export function requiredText(form: FormFields, name: string, label: string): string {
  const value = optionalText(form, name, label, 200)
  if (value === undefined) throw fieldError(name, label, 'This field is required.')
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
  const m = moneyValue(requiredText(form, name, label), currency, name, label)
  const example = moneyExample(currency)
  if (m.amount < 0) throw fieldError(name, label, `Enter an amount of 0 or more, such as ${example}.`)
  if (opts.positive && m.amount === 0)
    throw fieldError(name, label, `Enter an amount more than 0, such as ${example}.`)
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
    throw fieldError(name, label, `Enter a whole number from ${min} to ${max}.`)
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
