import { describe, expect, it } from 'vitest'
import type { Plan, Subscriber, TopUp } from '../store/entities.js'
import { allowanceFigures, allowanceOf } from './allowance-state.js'

const GB = 1e9
const period = { startMs: Date.parse('2026-03-01'), endMs: Date.parse('2026-04-01') }
const plan = { id: 'pln_1', name: 'P', capBytes: 100 * GB, onCap: 'block', createdAtMs: 0 } as Plan
const topUp = (id: string, bytes: number, createdAt: string, expiresAt: string) =>
  ({ id, bytes, createdAtMs: Date.parse(createdAt), expiresAtMs: Date.parse(expiresAt) }) as TopUp
const olderRow = (usedBytes: number) =>
  ({ id: 'sub_1', planId: 'pln_1', usedBytes, usagePeriodStartMs: period.startMs }) as Subscriber

describe('allowance of a row written before draws were kept', () => {
  it('draws all its usage in order as if at once, expired top-ups included', () => {
    const topUps = [
      topUp('top_a', 10 * GB, '2026-03-05', '2026-03-08'),
      topUp('top_b', 30 * GB, '2026-03-10', '2026-04-01'),
    ]
    const { allowance } = allowanceOf(olderRow(125 * GB), plan, topUps, period, 'plan_first')
    expect(allowance.drawn).toEqual({ plan: 100 * GB, top_a: 10 * GB, top_b: 15 * GB })
    expect(allowance.overBytes).toBe(0)
    // top_a has expired: it keeps the 10 GB it gave; top_b has 15 GB left.
    const now = Date.parse('2026-03-20')
    expect(allowanceFigures(olderRow(125 * GB), plan, topUps, period, now)).toEqual({
      limitBytes: 140 * GB,
      leftBytes: 15 * GB,
    })
  })

  it('draws what its kept draws fall short of, and starts again when they exceed the usage', () => {
    const kept = {
      ...olderRow(50 * GB),
      allowance: {
        periodStartMs: period.startMs,
        drawn: { plan: 40 * GB },
        rollover: [],
        overBytes: 0,
        forgivenBytes: 0,
        freeBytes: 0,
      },
    }
    expect(allowanceOf(kept, plan, [], period).allowance.drawn).toEqual({ plan: 50 * GB })
    expect(allowanceOf({ ...kept, usedBytes: 30 * GB }, plan, [], period).allowance.drawn).toEqual({
      plan: 30 * GB,
    })
  })
})
