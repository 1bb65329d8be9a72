import { describe, expect, it } from 'vitest'
import { CreatePlan } from '../api/schemas.js'
import { ApiError } from '../errors.js'
import {
  bytesField,
  bytesInputValue,
  checkedAs,
  moneyField,
  moneyInputValue,
  wholeNumberField,
} from './form-values.js'

function refusal(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('not refused')
}

describe('form values', () => {
  it('reads bytes and money, and names the field when the text is bad', () => {
    expect(bytesField('100 GB', 'Data cap')).toBe(100e9)
    expect(moneyField('2.99', 'USD', 'Price')).toEqual({ amount: 299, currency: 'USD' })
    const bad = refusal(() => bytesField('lots', 'Data cap'))
    expect(bad.status).toBe(400)
    expect(bad.message).toMatch(/^Data cap: invalid byte size "lots"/)
    expect(refusal(() => bytesField('', 'Data cap')).message).toBe('Data cap: byte size must not be empty')
    expect(refusal(() => moneyField('1.999', 'USD', 'Price')).message).toMatch(/^Price: .*decimal places/)
    expect(refusal(() => moneyField('five', 'USD', 'Price')).message).toMatch(/^Price: invalid amount/)
  })

  it('reads an optional whole number', () => {
    expect(wholeNumberField(' 7 ', 'Days')).toBe(7)
    expect(wholeNumberField('', 'Days')).toBeUndefined()
    expect(wholeNumberField(undefined, 'Days')).toBeUndefined()
    expect(refusal(() => wholeNumberField('7.5', 'Days')).message).toBe('Days: enter a whole number')
    expect(refusal(() => wholeNumberField('-1', 'Days')).message).toBe('Days: enter a whole number')
  })

  it('pre-fills bytes with a unit only when that is exact', () => {
    expect(bytesInputValue(100e9)).toBe('100 GB')
    expect(bytesInputValue(1_500_000)).toBe('1.5 MB')
    expect(bytesInputValue(1_234_567_890)).toBe('1234567890')
    for (const n of [0, 1, 999, 1_234_567_890, 5e9, 2 ** 40])
      expect(bytesField(bytesInputValue(n), 'x')).toBe(n)
  })

  it('pre-fills money as an exact decimal in the currency', () => {
    expect(moneyInputValue({ amount: 500, currency: 'USD' })).toBe('5.00')
    expect(moneyInputValue({ amount: 7, currency: 'USD' })).toBe('0.07')
    expect(moneyInputValue({ amount: 1500, currency: 'JPY' })).toBe('1500')
    expect(moneyInputValue({ amount: 1234, currency: 'KWD' })).toBe('1.234')
    expect(moneyInputValue({ amount: -250, currency: 'USD' })).toBe('-2.50')
    const m = { amount: 9_007_199_254_740_991, currency: 'USD' }
    expect(moneyField(moneyInputValue(m), 'USD', 'x')).toEqual(m)
  })

  it('checks with an API schema and names problems by the form labels', () => {
    const labels = { name: 'Name', throttleKbps: 'Throttle rate (kbit/s)' }
    const err = refusal(() => checkedAs(CreatePlan, { name: '', capBytes: 1, onCap: 'throttle' }, labels))
    expect(err.message).toBe(
      'Name: must not be empty; Throttle rate (kbit/s): is required when onCap is "throttle"',
    )
  })
})
