/**
 * Typed values out of form text and back: "100 GB" ⇄ bytes, "5.00" ⇄ money. Bad text becomes a 400
 * naming the field by its label, so the form's error message says which box to fix.
 */
import { formatBytes, type Money, minorUnitDigits, parseBytes, parseMoney } from '@capd/protocol'
import type { z } from 'zod'
import { ApiError } from '../errors.js'

const refuse = (label: string, message: string) =>
  new ApiError(400, 'invalid_request', `${label}: ${message}`)

/** Runs a parser from @capd/protocol, turning its RangeError into a 400 about `label`. */
function parsed<T>(label: string, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw refuse(label, err.message)
    throw err
  }
}

/** "100 GB", "1.5 GiB", "512000" → bytes. */
export const bytesField = (text: string | undefined, label: string): number =>
  parsed(label, () => parseBytes(text ?? ''))

/** "5.00" in the controller's currency → money. */
export const moneyField = (text: string | undefined, currency: string, label: string): Money =>
  parsed(label, () => parseMoney(text ?? '', currency))

/** A whole number typed in; empty = undefined. */
export function wholeNumberField(text: string | undefined, label: string): number | undefined {
  const trimmed = text?.trim() ?? ''
  if (trimmed === '') return undefined
  if (!/^\d{1,15}$/.test(trimmed)) throw refuse(label, 'enter a whole number')
  return Number(trimmed)
}

/**
 * Bytes as a form pre-fills them: "100 GB" when that says exactly this many bytes, else the plain
 * count (formatBytes rounds to 3 digits; saving an untouched form must not change the value).
 */
export function bytesInputValue(n: number): string {
  const shown = formatBytes(n)
  return parseBytes(shown) === n ? shown : String(n)
}

/** Money as a form pre-fills it: { amount: 500, currency: 'USD' } → "5.00" (exact, no float maths). */
export function moneyInputValue(m: Money): string {
  const digits = minorUnitDigits(m.currency)
  const sign = m.amount < 0 ? '-' : ''
  const abs = String(Math.abs(m.amount)).padStart(digits + 1, '0')
  return digits === 0 ? sign + abs : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`
}

/**
 * Checks a form's values with the API's schema; problems are named by the form's labels
 * (`labels` maps the schema's field names to them), joined into one message.
 */
export function checkedAs<S extends z.ZodType>(
  schema: S,
  input: unknown,
  labels: Record<string, string>,
): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '')
    return `${labels[field] ?? (issue.path.join('.') || 'form')}: ${issue.message}`
  })
  throw new ApiError(400, 'invalid_request', problems.join('; '))
}
