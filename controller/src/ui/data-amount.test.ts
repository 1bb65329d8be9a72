import { describe, expect, it } from 'vitest'
import { dataAmountField, dataAmountInput } from './data-amount.js'

const read = (amount: string, unit: string) =>
  dataAmountField({ a: amount, aUnit: unit }, 'a', 'Data cap', { minBytes: 0 })

describe('data amounts', () => {
  it('shows a saved amount in the largest unit it reaches, exactly', () => {
    expect(dataAmountInput(100e9)).toEqual({ amount: '100', unit: 'GB' })
    expect(dataAmountInput(1.5e12)).toEqual({ amount: '1.5', unit: 'TB' })
    expect(dataAmountInput(500e6)).toEqual({ amount: '500', unit: 'MB' })
    expect(dataAmountInput(1_234_567_890)).toEqual({ amount: '1.23456789', unit: 'GB' })
    expect(dataAmountInput(200)).toEqual({ amount: '0.0002', unit: 'MB' })
    expect(dataAmountInput(0)).toEqual({ amount: '0', unit: 'MB' })
  })

  it('reads back what it shows, to the byte, for random and edge amounts', () => {
    const edges = [0, 1, 999_999, 1e6, 1e9 - 1, 1e12 + 1, Number.MAX_SAFE_INTEGER]
    const random = Array.from({ length: 200 }, () =>
      Math.floor(Math.random() * 10 ** (Math.random() * Math.log10(Number.MAX_SAFE_INTEGER))),
    )
    for (const n of [...edges, ...random]) {
      const { amount, unit } = dataAmountInput(n)
      expect(read(amount, unit), `${n} shown as ${amount} ${unit}`).toBe(n)
    }
  })
})
