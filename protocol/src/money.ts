/** Money as integer minor units plus an ISO 4217 code: schemas, exact arithmetic, parsing and display. */
import { z } from 'zod'

const INTEGER_AMOUNT = 'amount must be an integer number of minor units (e.g. cents)'

export const CurrencyCode = z
  .string({ error: 'currency must be a string' })
  .regex(/^[A-Z]{3}$/, { error: 'currency must be a three-letter ISO 4217 code in capitals, e.g. "USD"' })
export type CurrencyCode = z.infer<typeof CurrencyCode>

const Amount = z.number({ error: 'amount must be a number' }).int({
  error: (issue) =>
    issue.code === 'invalid_type' ? INTEGER_AMOUNT : 'amount is outside the safe integer range',
})

export const Money = z.strictObject({ amount: Amount, currency: CurrencyCode })
export type Money = z.infer<typeof Money>

export const NonNegativeMoney = z.strictObject({
  amount: Amount.nonnegative({ error: 'amount must not be negative' }),
  currency: CurrencyCode,
})
export type NonNegativeMoney = z.infer<typeof NonNegativeMoney>

/** Builds a Money value, throwing a RangeError (never a ZodError) so callers can map it to a 4xx. */
export function money(amount: number, currency: string): Money {
  return checkedMoney({ amount, currency })
}

function checkedMoney(value: Money): Money {
  const result = Money.safeParse(value)
  if (result.success) return result.data
  const reason = result.error.issues.map((issue) => issue.message).join('; ')
  throw new RangeError(`invalid money ${JSON.stringify(value)}: ${reason}`)
}

export function isSameCurrency(a: Money, b: Money): boolean {
  return a.currency === b.currency
}

export function addMoney(a: Money, b: Money): Money {
  return combine(a, b, a.amount + b.amount, 'add')
}

export function subtractMoney(a: Money, b: Money): Money {
  return combine(a, b, a.amount - b.amount, 'subtract')
}

function combine(a: Money, b: Money, amount: number, verb: 'add' | 'subtract'): Money {
  checkedMoney(a)
  checkedMoney(b)
  if (!isSameCurrency(a, b))
    throw new RangeError(`cannot ${verb} ${b.currency} and ${a.currency}: currencies differ`)
  // Beyond 2^53 doubles skip integers, so an unsafe total would be silently wrong money.
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(
      `cannot ${verb} ${a.amount} and ${b.amount} ${a.currency}: result exceeds the safe integer range`,
    )
  }
  return { amount, currency: a.currency }
}

const digitsCache = new Map<string, number>()

/**
 * How many minor-unit digits a currency has (USD 2, JPY 0, KWD 3), as the runtime's ICU data says.
 * Well-formed codes ICU does not know get its default of 2.
 */
export function minorUnitDigits(currency: string): number {
  const code = CurrencyCode.safeParse(currency)
  if (!code.success)
    throw new RangeError(`invalid currency ${JSON.stringify(currency)}: ${code.error.issues[0]?.message}`)
  let digits = digitsCache.get(currency)
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    digitsCache.set(currency, digits)
  }
  return digits
}

/** Formats for people, e.g. { amount: 123456, currency: 'USD' } → "$1,234.56". */
export function formatMoney(m: Money, locale = 'en-US'): string {
  checkedMoney(m)
  const decimal = toDecimalString(m.amount, minorUnitDigits(m.currency))
  // A decimal string, not amount / 100, so large amounts are formatted exactly.
  return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(
    decimal as Intl.StringNumericLiteral,
  )
}

function toDecimalString(amount: number, digits: number): string {
  const sign = amount < 0 ? '-' : ''
  const abs = String(Math.abs(amount)).padStart(digits + 1, '0')
  if (digits === 0) return sign + abs
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/

/** Parses a plain decimal amount in major units: parseMoney("12.34", "USD") → { amount: 1234, currency: "USD" }. */
export function parseMoney(input: string, currency: string): Money {
  if (typeof input !== 'string') throw new TypeError(`amount must be a string, got ${typeof input}`)
  const digits = minorUnitDigits(currency)
  const match = DECIMAL.exec(input.trim())
  if (!match)
    throw new RangeError(`invalid amount ${JSON.stringify(input)}: expected a decimal number such as "12.34"`)
  const [, sign, whole = '', fraction = ''] = match
  if (fraction.length > digits) {
    throw new RangeError(
      `amount ${JSON.stringify(input)} has more decimal places than ${currency} allows (${digits})`,
    )
  }
  const minor = BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0')
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`amount ${JSON.stringify(input)} is outside the safe integer range of minor units`)
  }
  // `|| 0` turns "-0" into 0, so a zero never carries a sign.
  return { amount: (sign === '-' ? -Number(minor) : Number(minor)) || 0, currency }
}
