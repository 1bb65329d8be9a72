import { describe, expect, it } from 'vitest'
import {
  addMoney,
  formatMoney,
  isSameCurrency,
  Money,
  minorUnitDigits,
  money,
  NonNegativeMoney,
  parseMoney,
  subtractMoney,
} from './money.js'

describe('Money schema', () => {
  it('accepts integer minor units and an upper-case ISO code', () => {
    expect(Money.parse({ amount: -250, currency: 'EUR' })).toEqual({ amount: -250, currency: 'EUR' })
  })

  it('rejects fractional amounts with a message about minor units', () => {
    const result = Money.safeParse({ amount: 12.5, currency: 'USD' })
    expect(result.error?.issues[0]?.message).toBe(
      'amount must be an integer number of minor units (e.g. cents)',
    )
  })

  it('rejects unsafe amounts, bad currency codes and unknown keys', () => {
    expect(Money.safeParse({ amount: 2 ** 53, currency: 'USD' }).error?.issues[0]?.message).toMatch(
      /safe integer/,
    )
    expect(Money.safeParse({ amount: 1, currency: 'usd' }).success).toBe(false)
    expect(Money.safeParse({ amount: 1, currency: 'USDT' }).success).toBe(false)
    expect(Money.safeParse({ amount: 1, currency: 'USD', note: 'x' }).error?.issues[0]?.code).toBe(
      'unrecognized_keys',
    )
  })

  it('NonNegativeMoney rejects negative amounts and stays strict', () => {
    expect(NonNegativeMoney.parse({ amount: 0, currency: 'USD' })).toEqual({ amount: 0, currency: 'USD' })
    expect(NonNegativeMoney.safeParse({ amount: -1, currency: 'USD' }).error?.issues[0]?.message).toBe(
      'amount must not be negative',
    )
    expect(NonNegativeMoney.safeParse({ amount: 1, currency: 'USD', x: 1 }).success).toBe(false)
  })
})

describe('money arithmetic', () => {
  it('builds values and throws RangeError on bad input', () => {
    expect(money(1234, 'USD')).toEqual({ amount: 1234, currency: 'USD' })
    expect(() => money(12.5, 'USD')).toThrow(RangeError)
    expect(() => money(12.5, 'USD')).toThrow(/minor units/)
    expect(() => money(1, 'dollars')).toThrow(/ISO 4217/)
  })

  it('adds and subtracts within one currency', () => {
    expect(addMoney(money(1999, 'USD'), money(1, 'USD'))).toEqual({ amount: 2000, currency: 'USD' })
    expect(subtractMoney(money(500, 'EUR'), money(750, 'EUR'))).toEqual({ amount: -250, currency: 'EUR' })
  })

  it('refuses to mix currencies', () => {
    expect(isSameCurrency(money(1, 'USD'), money(1, 'USD'))).toBe(true)
    expect(isSameCurrency(money(1, 'USD'), money(1, 'EUR'))).toBe(false)
    expect(() => addMoney(money(1, 'USD'), money(1, 'EUR'))).toThrow(
      'cannot add EUR and USD: currencies differ',
    )
    expect(() => subtractMoney(money(1, 'USD'), money(1, 'EUR'))).toThrow(/currencies differ/)
  })

  it('refuses sums outside the safe integer range', () => {
    const big = money(Number.MAX_SAFE_INTEGER, 'USD')
    expect(() => addMoney(big, money(1, 'USD'))).toThrow(/safe integer range/)
    expect(() => subtractMoney(money(-Number.MAX_SAFE_INTEGER, 'USD'), money(1, 'USD'))).toThrow(
      /safe integer range/,
    )
  })

  it('rejects operands that bypassed the schema', () => {
    const fractional = { amount: 0.5, currency: 'USD' }
    expect(() => addMoney(fractional, money(1, 'USD'))).toThrow(/minor units/)
  })
})

describe('minorUnitDigits', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['BHD', 3],
  ])('%s has %d digits', (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits)
  })

  it('rejects malformed codes', () => {
    expect(() => minorUnitDigits('us')).toThrow(RangeError)
  })
})

describe('formatMoney', () => {
  it('formats with the currency minor units', () => {
    expect(formatMoney(money(123456, 'USD'))).toBe('$1,234.56')
    expect(formatMoney(money(-5, 'USD'))).toBe('-$0.05')
    expect(formatMoney(money(1500, 'JPY'))).toBe('¥1,500')
    expect(formatMoney(money(1234, 'KWD'))).toBe('KWD\u00a01.234')
  })

  it('formats large amounts exactly', () => {
    expect(formatMoney(money(9_007_199_254_740_991, 'USD'))).toBe('$90,071,992,547,409.91')
  })

  it('uses the given locale', () => {
    // de-DE puts a non-breaking space before the symbol.
    expect(formatMoney(money(123456, 'EUR'), 'de-DE')).toBe('1.234,56\u00a0€')
  })
})

describe('parseMoney', () => {
  it.each([
    ['12.34', 'USD', 1234],
    ['12.3', 'USD', 1230],
    ['12', 'USD', 1200],
    ['0.05', 'USD', 5],
    ['-7.50', 'EUR', -750],
    [' 3 ', 'EUR', 300],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['-0', 'USD', 0],
  ])('parses %j %s as %d minor units', (input, currency, amount) => {
    expect(parseMoney(input, currency)).toEqual({ amount, currency })
  })

  it('returns a zero without a sign', () => {
    expect(Object.is(parseMoney('-0.00', 'USD').amount, 0)).toBe(true)
  })

  it.each([
    ['1.234', 'USD', /more decimal places than USD allows \(2\)/],
    ['1.5', 'JPY', /more decimal places than JPY allows \(0\)/],
    ['1,50', 'EUR', /invalid amount/],
    ['1.', 'USD', /invalid amount/],
    ['abc', 'USD', /invalid amount/],
    ['', 'USD', /invalid amount/],
    ['1e3', 'USD', /invalid amount/],
    ['90071992547409.92', 'USD', /safe integer range/],
    ['1', 'usd', /ISO 4217/],
  ])('rejects %j %s', (input, currency, message) => {
    expect(() => parseMoney(input, currency)).toThrow(RangeError)
    expect(() => parseMoney(input, currency)).toThrow(message)
  })

  it('round-trips with formatMoney for en-US dollars', () => {
    const m = parseMoney('1234.56', 'USD')
    expect(formatMoney(m)).toBe('$1,234.56')
  })
})
