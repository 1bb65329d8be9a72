import { describe, expect, it } from 'vitest'
import { refusal, refusalMessage } from '../testing/refusal.js'
import { fieldErrorsOf } from './form-refusal.js'
import {
  checkbox,
  idempotencyKeyField,
  moneyField,
  moneyValue,
  wholeNumberField,
  wholeNumberValue,
} from './form-values.js'

describe('form text values', () => {
  it('reads money, and refuses bad text about its field in our words, with an example in the currency', () => {
    expect(moneyValue('2.99', 'USD', 'price', 'Price')).toEqual({ amount: 299, currency: 'USD' })
    expect(refusal(() => moneyValue('', 'USD', 'price', 'Price')).status).toBe(400)
    for (const text of ['1.999', 'five', '1e3', '99999999999999999999']) {
      expect(fieldErrorsOf(refusal(() => moneyValue(text, 'USD', 'price', 'Price')))).toEqual([
        { field: 'price', message: 'Enter an amount such as 10.00.' },
      ])
    }
    expect(refusal(() => moneyValue('1.5', 'JPY', 'price', 'Price')).message).toBe(
      'Price: Enter an amount such as 1000.',
    )
  })

  it('reads an optional whole number', () => {
    expect(wholeNumberValue(' 7 ', 'days', 'Days')).toBe(7)
    expect(wholeNumberValue('', 'days', 'Days')).toBeUndefined()
    expect(wholeNumberValue(undefined, 'days', 'Days')).toBeUndefined()
    const days = [{ field: 'days', message: 'Enter a whole number, such as 7.' }]
    expect(fieldErrorsOf(refusal(() => wholeNumberValue('7.5', 'days', 'Days')))).toEqual(days)
    expect(fieldErrorsOf(refusal(() => wholeNumberValue('-1', 'days', 'Days')))).toEqual(days)
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
      'Price: Enter an amount of 0 or more, such as 10.00.',
    )
    expect(refusalMessage(() => moneyField({ p: '0.00' }, 'p', 'Amount', 'USD', { positive: true }))).toBe(
      'Amount: Enter an amount more than 0, such as 10.00.',
    )
    expect(
      refusalMessage(() => wholeNumberField({ n: '101' }, 'n', 'Maximum per period', { min: 1, max: 100 })),
    ).toBe('Maximum per period: Enter a whole number from 1 to 100.')
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
