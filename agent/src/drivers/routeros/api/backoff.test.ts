import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from './backoff.js'

describe('backoffDelayMs', () => {
  const options = { initialMs: 1000, maxMs: 8000 }

  it('does not wait before the first attempt', () => {
    expect(backoffDelayMs(0, options, () => 0.5)).toBe(0)
  })

  it('doubles per failure, jittered between half and all of the nominal delay', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, options, () => 0))).toEqual([500, 1000, 2000])
    expect([1, 2, 3].map((n) => backoffDelayMs(n, options, () => 0.999999))).toEqual([1000, 2000, 4000])
  })

  it('stops growing at the ceiling, even after very many failures', () => {
    expect(backoffDelayMs(4, options, () => 0.999999)).toBe(8000)
    expect(backoffDelayMs(5000, options, () => 0.999999)).toBe(8000)
    expect(backoffDelayMs(5000, options, () => 0)).toBe(4000)
  })
})
