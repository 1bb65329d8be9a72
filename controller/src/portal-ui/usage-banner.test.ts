import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import type { EnforcementState, OnCap } from '../store/entities.js'
import { type UsageBannerInput, usageBanner } from './usage-banner.js'

/**
 * The model: the share used as an exact fraction (numerator/denominator in BigInt), each
 * percentage tested by itself, the largest that is not above the share kept.
 */
function model(i: UsageBannerInput) {
  if (i.usedBytes >= i.limitBytes) {
    const paused = i.state === 'blocked' || (i.state === 'open' && i.onCap === 'block')
    return { kind: 'cap', cut: paused ? 'paused' : 'slowed' }
  }
  const crossed = [...i.notifyAtPercent]
    .sort((a, b) => b - a)
    .find((p) => BigInt(i.usedBytes) * 100n >= BigInt(p) * BigInt(i.limitBytes))
  return crossed === undefined ? undefined : { kind: 'threshold', percent: crossed }
}

const STATES: EnforcementState[] = ['open', 'blocked', 'throttled']
const ON_CAP: OnCap[] = ['block', 'throttle']

describe('the portal’s usage banner', () => {
  it('names the highest percentage crossed, or the cut-off at the cap (random cases against the model)', () => {
    const random = seededRandom(80)
    const seen = new Set<string>()
    for (let n = 0; n < 5000; n++) {
      const limitBytes = random.int(0, 3) === 0 ? random.int(0, 1000) : random.int(1, 2 ** 40) * 1000
      const notifyAtPercent = [
        ...new Set(Array.from({ length: random.int(0, 4) }, () => random.int(1, 100))),
      ].sort((a, b) => a - b)
      // Half the cases sit at a percentage's edge (one byte either side), where rounding would show.
      const edge = notifyAtPercent[random.int(0, notifyAtPercent.length - 1)]
      const usedBytes =
        edge !== undefined && random.next() < 0.5
          ? Math.max(0, Math.ceil((edge * limitBytes) / 100) + random.int(-1, 1))
          : random.int(0, Math.ceil(limitBytes * 1.2))
      const input = {
        usedBytes,
        limitBytes,
        notifyAtPercent,
        onCap: ON_CAP[random.int(0, 1)]!,
        state: STATES[random.int(0, 2)]!,
      }
      const banner = usageBanner(input)
      expect(banner, JSON.stringify(input)).toEqual(model(input))
      seen.add(banner ? banner.kind : 'none')
    }
    expect([...seen].sort()).toEqual(['cap', 'none', 'threshold'])
  })

  it('shows 80% from exactly 80% of the whole allowance, nothing a byte below', () => {
    const at = (usedBytes: number) =>
      usageBanner({ usedBytes, limitBytes: 110e9, notifyAtPercent: [80, 100], onCap: 'block', state: 'open' })
    expect(at(88e9)).toEqual({ kind: 'threshold', percent: 80 })
    expect(at(88e9 - 1)).toBeUndefined()
    expect(at(110e9 - 1)).toEqual({ kind: 'threshold', percent: 80 })
    expect(at(110e9)).toEqual({ kind: 'cap', cut: 'paused' })
  })

  it('says the agent’s state at the cap, and the plan’s while the agent has not acted', () => {
    const cap = (state: EnforcementState, onCap: OnCap) =>
      usageBanner({ usedBytes: 5, limitBytes: 5, notifyAtPercent: [], onCap, state })
    expect(cap('blocked', 'throttle')).toEqual({ kind: 'cap', cut: 'paused' })
    expect(cap('throttled', 'block')).toEqual({ kind: 'cap', cut: 'slowed' })
    expect(cap('open', 'block')).toEqual({ kind: 'cap', cut: 'paused' })
    expect(cap('open', 'throttle')).toEqual({ kind: 'cap', cut: 'slowed' })
  })
})
