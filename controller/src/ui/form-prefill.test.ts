import { describe, expect, it } from 'vitest'
import { moneyInputValue } from './form-prefill.js'
import { moneyValue } from './form-values.js'

describe('form pre-fill', () => {
  it('pre-fills money as an exact decimal in the currency', () => {
    expect(moneyInputValue({ amount: 500, currency: 'USD' })).toBe('5.00')
    expect(moneyInputValue({ amount: 7, currency: 'USD' })).toBe('0.07')
    expect(moneyInputValue({ amount: 1500, currency: 'JPY' })).toBe('1500')
    expect(moneyInputValue({ amount: 1234, currency: 'KWD' })).toBe('1.234')
    expect(moneyInputValue({ amount: -250, currency: 'USD' })).toBe('-2.50')
    const m = { amount: 9_007_199_254_740_991, currency: 'USD' }
    expect(moneyValue(moneyInputValue(m), 'USD', 'x', 'X')).toEqual(m)
  })
})
