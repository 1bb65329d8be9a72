import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { CounterReading, SubscriberRule } from '../driver.js'
import { counterSamples } from './counters.js'
import { afterChanges } from './model.js'
import { parseListing } from './nft-json.js'
import { planChanges } from './plan.js'

// The fixture of plan.test.ts with alice-1's quota spent at 1 002 408 bytes (her counters' total).
const LISTING = readFileSync(new URL('./fixtures/list-table.json', import.meta.url), 'utf8').replace(
  '"bytes": 10000000, "used": 1002408',
  '"bytes": 1002408, "used": 1002408',
)
const alice = (rule: Partial<SubscriberRule>): SubscriberRule => ({
  subscriberId: 'alice-1',
  address: '10.200.0.2',
  state: 'open',
  ...rule,
})
const only = new Set(['alice-1'])

describe('afterChanges', () => {
  it('counts a reset quota from zero, so a push after a top-up does not take it for spent', () => {
    const listed = parseListing(LISTING, 'capd')
    const reading: CounterReading = { atMs: 1, bootId: 'b', samples: counterSamples(listed) }
    const topUp = planChanges([alice({ remainingBytes: 500_000n })], listed, reading, new Map(), true, only)
    expect(topUp.changes).toEqual([
      { op: 'set-quota', name: 'q_alice-1', subscriberId: 'alice-1', overBytes: 500_000n, reset: true },
    ])
    const model = afterChanges(listed, topUp.changes)
    expect(model.quotas.get('q_alice-1')).toMatchObject({ overBytes: 500_000n, usedBytes: 0n })
    // Blocked again before any poll (a lower limit): the live quota must be brought down, not kept.
    const block = planChanges(
      [alice({ state: 'blocked', remainingBytes: 0n })],
      model,
      reading,
      topUp.caps,
      true,
      only,
    )
    expect(block.changes).not.toEqual([])
    expect(block.changes).toContainEqual(expect.objectContaining({ op: 'set-quota', name: 'q_alice-1' }))
  })
})
