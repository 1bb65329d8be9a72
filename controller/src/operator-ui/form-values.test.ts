import { describe, expect, it } from 'vitest'
import { ApiError } from '../errors.js'
import { bytesField, chargeToField, checked, formKey, moneyField, wholeNumberField } from './form-values.js'

/** The 400's message, or a failure if the call did not refuse. */
function refusal(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(400)
    return (err as ApiError).message
  }
  throw new Error('expected a refusal')
}

describe('form values', () => {
  it('reads sizes and prices people type', () => {
    expect(bytesField({ b: ' 1.5 GB ' }, 'b', 'Data amount', { positive: true })).toBe(1.5e9)
    expect(bytesField({ b: '0 MB' }, 'b', 'Threshold', { positive: false })).toBe(0)
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
    expect(refusal(() => bytesField({ b: '5 parsecs' }, 'b', 'Data amount', { positive: true }))).toMatch(
      /^Data amount: unknown byte unit "parsecs"/,
    )
    expect(refusal(() => bytesField({}, 'b', 'Data amount', { positive: true }))).toBe(
      'Data amount: this field is required',
    )
    expect(refusal(() => moneyField({ p: '-1' }, 'p', 'Price', 'USD', { positive: false }))).toBe(
      'Price: must not be negative',
    )
    expect(refusal(() => moneyField({ p: '0.00' }, 'p', 'Amount', 'USD', { positive: true }))).toBe(
      'Amount: must be more than 0',
    )
    expect(refusal(() => wholeNumberField({ n: '101' }, 'n', 'Maximum per period', 1, 100))).toBe(
      'Maximum per period: must be a whole number from 1 to 100',
    )
    expect(refusal(() => chargeToField({ chargeTo: 'card' }))).toMatch(/^Charge to:/)
  })

  it('reads checkboxes, the charge and the form key', () => {
    expect(checked({ a: 'on' }, 'a')).toBe(true)
    expect(checked({}, 'a')).toBe(false)
    expect(chargeToField({})).toBe('invoice')
    expect(chargeToField({ chargeTo: 'balance' })).toBe('balance')
    expect(formKey({ idempotencyKey: 'c0605181-8afd' })).toBe('c0605181-8afd')
    expect(refusal(() => formKey({ idempotencyKey: 'has space' }))).toMatch(/reload the page/)
  })
})
