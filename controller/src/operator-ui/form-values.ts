/**
 * Reading the subscriber forms' fields into domain values. Each refusal is a 400 that names the
 * field by its label, as the person saw it, and says what would be accepted.
 */
import { type Money, parseBytes, parseMoney } from '@capd/protocol'
import { ApiError } from '../errors.js'
import type { ChargeTo } from '../store/entities.js'

type Form = Record<string, string>

export const fieldError = (label: string, message: string) =>
  new ApiError(400, 'invalid_request', `${label}: ${message}`)

/** A field's trimmed text; empty counts as missing. */
export function text(form: Form, name: string): string | undefined {
  const value = form[name]?.trim()
  return value ? value : undefined
}

export function required(form: Form, name: string, label: string): string {
  const value = text(form, name)
  if (value === undefined) throw fieldError(label, 'this field is required')
  if (value.length > 200) throw fieldError(label, 'must be at most 200 characters')
  return value
}

export function optionalText(form: Form, name: string, label: string, max: number): string | undefined {
  const value = text(form, name)
  if (value !== undefined && value.length > max) throw fieldError(label, `must be at most ${max} characters`)
  return value
}

export function bytesField(form: Form, name: string, label: string, opts: { positive: boolean }): number {
  let n: number
  try {
    n = parseBytes(required(form, name, label))
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw fieldError(label, (err as Error).message)
  }
  if (opts.positive && n === 0) throw fieldError(label, 'must be more than 0 bytes')
  return n
}

export function moneyField(
  form: Form,
  name: string,
  label: string,
  currency: string,
  opts: { positive: boolean },
): Money {
  let m: Money
  try {
    m = parseMoney(required(form, name, label), currency)
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw fieldError(label, (err as Error).message)
  }
  if (m.amount < 0) throw fieldError(label, 'must not be negative')
  if (opts.positive && m.amount === 0) throw fieldError(label, 'must be more than 0')
  return m
}

export function chargeToField(form: Form): ChargeTo {
  const value = form.chargeTo ?? 'invoice'
  if (value !== 'invoice' && value !== 'balance')
    throw fieldError('Charge to', 'choose Invoice or Account balance')
  return value
}

export function wholeNumberField(form: Form, name: string, label: string, min: number, max: number): number {
  const value = required(form, name, label)
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw fieldError(label, `must be a whole number from ${min} to ${max}`)
  return n
}

export const checked = (form: Form, name: string) => form[name] === 'on'

/** The hidden key that makes a double-submitted form act once (see section-form.tsx). */
export function formKey(form: Form): string {
  const key = form.idempotencyKey ?? ''
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw new ApiError(400, 'invalid_form', 'the form is incomplete; reload the page and try again')
  return key
}
