import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { applyTax, invoiceLine, ratePercent } from './tax.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

describe('tax', () => {
  it('adds an exclusive rate and splits an inclusive one, half up to the cent', () => {
    expect(applyTax(usd(1000), { rateBp: 1600, inclusive: false })).toEqual({
      net: usd(1000),
      tax: usd(160),
      gross: usd(1160),
    })
    // 1160 / 1.16 = 1000 exactly; 999 / 1.16 = 861.2 → 861, tax 138
    expect(applyTax(usd(1160), { rateBp: 1600, inclusive: true }).net).toEqual(usd(1000))
    expect(applyTax(usd(999), { rateBp: 1600, inclusive: true })).toEqual({
      net: usd(861),
      tax: usd(138),
      gross: usd(999),
    })
    // 0.5 cent rounds up: 5 × 10 % = 0.5
    expect(applyTax(usd(5), { rateBp: 1000, inclusive: false }).tax).toEqual(usd(1))
    expect(ratePercent({ rateBp: 750, inclusive: true })).toBe('7.5%')
  })

  it('net + tax is always the gross, and the tax is the rate of the net within half a cent', () => {
    const random = seededRandom(7)
    for (let i = 0; i < 5000; i++) {
      const amount = random.int(0, 10_000_000)
      const rule = { rateBp: random.int(0, 10_000), inclusive: random.next() < 0.5 }
      const { net, tax, gross } = applyTax(usd(amount), rule)
      expect(net.amount + tax.amount).toBe(gross.amount)
      expect(Math.abs(tax.amount - (net.amount * rule.rateBp) / 10_000)).toBeLessThanOrEqual(
        0.5 + 1e-9 + rule.rateBp / 10_000,
      )
      expect(rule.inclusive ? gross.amount : net.amount).toBe(amount)
    }
  })

  it('an untaxed line is its price', () => {
    expect(invoiceLine('Pack', usd(300), undefined)).toEqual({
      description: 'Pack',
      quantity: 1,
      unitPrice: usd(300),
      amount: usd(300),
    })
  })
})
