import { describe, expect, it } from 'vitest'
import { refusal, refusalMessage } from '../testing/refusal.js'
import {
  checkbox,
  idempotencyKeyField,
  moneyField,
  moneyValue,
  wholeNumberField,
  wholeNumberValue,
} from './form-values.js'

describe('form text values', () => {
  it('reads money, and names the field when the text is bad', () => {
    expect(moneyValue('2.99', 'USD', 'Price')).toEqual({ amount: 299, currency: 'USD' })
    expect(refusal(() => moneyValue('', 'USD', 'Price')).status).toBe(400)
    expect(refusal(() => moneyValue('1.999', 'USD', 'Price')).message).toMatch(/^Price: .*decimal places/)
    expect(refusal(() => moneyValue('five', 'USD', 'Price')).message).toMatch(/^Price: invalid amount/)
  })

  it('reads an optional whole number', () => {
    expect(wholeNumberValue(' 7 ', 'Days')).toBe(7)
    expect(wholeNumberValue('', 'Days')).toBeUndefined()
    expect(wholeNumberValue(undefined, 'Days')).toBeUndefined()
    expect(refusal(() => wholeNumberValue('7.5', 'Days')).message).toBe('Days: enter a whole number')
    expect(refusal(() => wholeNumberValue('-1', 'Days')).message).toBe('Days: enter a whole number')
  })
})

describe('form fields', () => {
  it('reads prices people type', () => {
    expect(moneyField({ p: '2.5' }, 'p', 'Price', 'USD', { positive: false })).toEqual({
      amount: 250,
      currency: 'USD',
    })
    expect(moneyField({ p: '0' }, 'p', 'Price', 'USD', { positive: false }).amount).toBe(0)
    expect(moneyField({ p: '300' }, 'p', 'Price', 'JPY', { positive: true })).toEqual({
      amount: 300,
      currency: 'JPY',
    })
  })

  it('names the field by its label in every refusal', () => {
    expect(refusalMessage(() => moneyField({ p: '-1' }, 'p', 'Price', 'USD', { positive: false }))).toBe(
      'Price: must not be negative',
    )
    expect(refusalMessage(() => moneyField({ p: '0.00' }, 'p', 'Amount', 'USD', { positive: true }))).toBe(
      'Amount: must be more than 0',
    )
    expect(
      refusalMessage(() => wholeNumberField({ n: '101' }, 'n', 'Maximum per period', { min: 1, max: 100 })),
    ).toBe('Maximum per period: must be a whole number from 1 to 100')
  })

  it('reads checkboxes and the form key', () => {
    expect(checkbox({ a: 'on' }, 'a')).toBe(true)
    expect(checkbox({}, 'a')).toBe(false)
    expect(idempotencyKeyField({ idempotencyKey: 'c0605181-8afd' })).toBe('c0605181-8afd')
    expect(refusalMessage(() => idempotencyKeyField({ idempotencyKey: 'has space' }))).toMatch(
      /reload the page/,
    )
  })
})
