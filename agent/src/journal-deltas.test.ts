import type { SubscriberLimit } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { takeLimit } from './books.js'
import { journalDeltas } from './journal-deltas.js'
import type { AgentState } from './state/checkpoint.js'

const limit = (id: string, count?: SubscriberLimit['count']): SubscriberLimit => ({
  subscriberId: id,
  address: '10.0.0.5',
  periodStart: '2026-03-01T00:00:00.000Z',
  periodEnd: '2026-04-01T00:00:00.000Z',
  limitBytes: 1000,
  usedBytes: 0,
  limitVersion: 1,
  onCap: 'block',
  ...(count ? { count } : {}),
})

describe('journalDeltas', () => {
  it('journals the real down and up, and rates the fast poll by the bytes that draw', () => {
    const state: AgentState = {
      epoch: 'e',
      appliedSeq: 0,
      ackedSeq: 0,
      baselines: new Map(),
      created: new Map(),
      books: new Map([
        ['both', takeLimit(undefined, limit('both'))!],
        ['down', takeLimit(undefined, limit('down', 'down'))!],
        ['up', takeLimit(undefined, limit('up', 'up'))!],
      ]),
    }
    const atMs = Date.parse('2026-03-10T00:00:00.000Z')
    const baseline = { counterId: 'c', bootId: 'b', down: 100n, up: 900n, atMs }
    const deltas = ['both', 'down', 'up'].map((subscriberId) => ({
      subscriberId,
      down: 100n,
      up: 900n,
      baseline,
    }))
    const recent = new Map<string, number>()
    const entries = journalDeltas(state, deltas, atMs, recent)
    expect(entries.map((e) => [e.down, e.up])).toEqual([
      [100, 900],
      [100, 900],
      [100, 900],
    ])
    expect(recent).toEqual(
      new Map([
        ['both', 1000],
        ['down', 100],
        ['up', 900],
      ]),
    )
  })
})
