import { describe, expect, it } from 'vitest'
import { refusalMessage } from '../testing/refusal.js'
import { chargeToField } from './charge-to.js'

describe('charge to', () => {
  it('reads the charge, Invoice by default, and names the field in a refusal', () => {
    expect(chargeToField({})).toBe('invoice')
    expect(chargeToField({ chargeTo: 'balance' })).toBe('balance')
    expect(refusalMessage(() => chargeToField({ chargeTo: 'card' }))).toMatch(/^Charge to:/)
  })
})
