import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { CounterReading, SubscriberRule } from '../driver.js'
import { counterSamples } from './counters.js'
import { SETS } from './layout.js'
import { type InstalledTable, parseListing } from './nft-json.js'
import { limitFor, planChanges } from './plan.js'

// The same four subscribers the fixture was captured with.
const LISTING = readFileSync(new URL('./fixtures/list-table.json', import.meta.url), 'utf8')
const RULES: SubscriberRule[] = [
  { subscriberId: 'alice-1', address: '10.200.0.2', state: 'open', remainingBytes: 10_000_000n },
  { subscriberId: 'alice6', address: 'fd00:200::/64', state: 'throttled', throttleKbps: 8000 },
  { subscriberId: 'bob', address: '10.200.1.0/30', state: 'blocked' },
  { subscriberId: 'bob6', address: 'fd00:200:1::2', state: 'open' },
]

/** The rules as of the fixture's reading: 1 002 408 bytes passed the 10 MB quota, 8 997 592 are left. */
const CURRENT = RULES.map((r) => (r.remainingBytes ? { ...r, remainingBytes: 8_997_592n } : r))

const empty = (): InstalledTable => ({
  handle: 7,
  counters: new Map(),
  quotas: new Map(),
  limits: new Map(),
  elements: new Map(SETS.map((set) => [set.name, new Map()])),
  chain: undefined,
})
const noReading: CounterReading = { atMs: 0, bootId: 'b', samples: [] }
const readingOf = (table: InstalledTable): CounterReading => ({
  atMs: 1,
  bootId: 'b',
  samples: counterSamples(table),
})

describe('planChanges', () => {
  it('installs everything for new subscribers', () => {
    const { changes, caps } = planChanges(RULES, empty(), noReading, new Map())
    const ops = changes.map((c) =>
      [c.op, 'set' in c && c.set, 'name' in c && c.name].filter(Boolean).join(' '),
    )
    expect(ops).toContain('add-counter cd_alice-1')
    expect(ops).toContain('add-limit lu_alice6')
    expect(changes).toContainEqual({
      op: 'set-quota',
      name: 'q_alice-1',
      subscriberId: 'alice-1',
      overBytes: 10_000_000n,
    })
    expect(changes).toContainEqual({ op: 'add-element', set: 'block4', key: '10.200.1.0/30', value: '' })
    expect(changes).toContainEqual({ op: 'add-element', set: 'cu6', key: 'fd00:200:1::2', value: 'cu_bob6' })
    expect(changes).toContainEqual({
      op: 'add-element',
      set: 'ld6',
      key: 'fd00:200::/64',
      value: 'ld_alice6',
    })
    expect(changes.filter((c) => c.op.startsWith('delete'))).toEqual([])
    expect(caps).toEqual(new Map([['alice-1', 10_000_000n]]))
  })

  it('changes nothing when the table already matches (also without remembered caps)', () => {
    const table = parseListing(LISTING, 'capd')
    const plan = planChanges(CURRENT, table, readingOf(table), new Map())
    expect(plan.changes).toEqual([])
    expect(plan.caps.get('alice-1')).toBe(10_000_000n)
  })

  it('removes a departed subscriber completely and touches nobody else', () => {
    const table = parseListing(LISTING, 'capd')
    const rules = CURRENT.filter((r) => r.subscriberId !== 'bob')
    const { changes } = planChanges(rules, table, readingOf(table), new Map())
    expect(changes).toEqual([
      { op: 'delete-object', kind: 'counter', name: 'cd_bob' },
      { op: 'delete-object', kind: 'counter', name: 'cu_bob' },
      { op: 'delete-element', set: 'block4', key: '10.200.1.0/30' },
      { op: 'delete-element', set: 'cd4', key: '10.200.1.0/30' },
      { op: 'delete-element', set: 'cu4', key: '10.200.1.0/30' },
    ])
  })

  it('unblocks, stops throttling and drops the quota as the rules say', () => {
    const table = parseListing(LISTING, 'capd')
    const rules: SubscriberRule[] = RULES.map((r) => ({
      subscriberId: r.subscriberId,
      address: r.address,
      state: 'open',
    }))
    const { changes } = planChanges(rules, table, readingOf(table), new Map())
    expect(changes).toEqual([
      { op: 'delete-object', kind: 'quota', name: 'q_alice-1' },
      { op: 'delete-object', kind: 'limit', name: 'ld_alice6' },
      { op: 'delete-object', kind: 'limit', name: 'lu_alice6' },
      { op: 'delete-element', set: 'block4', key: '10.200.1.0/30' },
      { op: 'delete-element', set: 'q4', key: '10.200.0.2' },
      { op: 'delete-element', set: 'ld6', key: 'fd00:200::/64' },
      { op: 'delete-element', set: 'lu6', key: 'fd00:200::/64' },
    ])
  })

  it('re-creates a limit whose rate changed, re-pointing its elements', () => {
    const table = parseListing(LISTING, 'capd')
    const rules = CURRENT.map((r) => (r.throttleKbps ? { ...r, throttleKbps: 4000 } : r))
    const { changes } = planChanges(rules, table, readingOf(table), new Map([['alice-1', 10_000_000n]]))
    expect(changes).toEqual([
      { op: 'delete-object', kind: 'limit', name: 'ld_alice6' },
      {
        op: 'add-limit',
        name: 'ld_alice6',
        subscriberId: 'alice6',
        bytesPerSecond: 500_000,
        burstBytes: 131_072,
      },
      { op: 'delete-object', kind: 'limit', name: 'lu_alice6' },
      {
        op: 'add-limit',
        name: 'lu_alice6',
        subscriberId: 'alice6',
        bytesPerSecond: 500_000,
        burstBytes: 131_072,
      },
      { op: 'delete-element', set: 'ld6', key: 'fd00:200::/64' },
      { op: 'add-element', set: 'ld6', key: 'fd00:200::/64', value: 'ld_alice6' },
      { op: 'delete-element', set: 'lu6', key: 'fd00:200::/64' },
      { op: 'add-element', set: 'lu6', key: 'fd00:200::/64', value: 'lu_alice6' },
    ])
  })

  it('moves a subscriber to a new address keeping its counters', () => {
    const table = parseListing(LISTING, 'capd')
    const rules = CURRENT.map((r) => (r.subscriberId === 'bob6' ? { ...r, address: 'fd00:200:1::/64' } : r))
    const { changes } = planChanges(rules, table, readingOf(table), new Map([['alice-1', 10_000_000n]]))
    expect(changes).toEqual([
      { op: 'delete-element', set: 'cd6', key: 'fd00:200:1::2' },
      { op: 'add-element', set: 'cd6', key: 'fd00:200:1::/64', value: 'cd_bob6' },
      { op: 'delete-element', set: 'cu6', key: 'fd00:200:1::2' },
      { op: 'add-element', set: 'cu6', key: 'fd00:200:1::/64', value: 'cu_bob6' },
    ])
  })

  it('raises the quota in place on a top-up', () => {
    const table = parseListing(LISTING, 'capd')
    const rules = RULES.map((r) => (r.remainingBytes ? { ...r, remainingBytes: 58_997_592n } : r))
    const { changes, caps } = planChanges(rules, table, readingOf(table), new Map([['alice-1', 10_000_000n]]))
    expect(changes).toEqual([
      { op: 'set-quota', name: 'q_alice-1', subscriberId: 'alice-1', overBytes: 60_000_000n },
    ])
    expect(caps.get('alice-1')).toBe(60_000_000n)
  })

  it('rewrites a set instead of deleting many of its elements one by one', () => {
    const crowd: SubscriberRule[] = Array.from({ length: 100 }, (_, i) => ({
      subscriberId: `s${i}`,
      address: `10.9.0.${i}`,
      state: 'blocked',
    }))
    const table = empty()
    for (const c of planChanges(crowd, empty(), noReading, new Map()).changes) {
      if (c.op === 'add-element') table.elements.get(c.set)!.set(c.key, c.value)
    }
    const stay = crowd.slice(0, 10)
    const { changes } = planChanges(stay, table, noReading, new Map())
    const block4 = changes.filter((c) => 'set' in c && c.set === 'block4')
    expect(block4[0]).toEqual({ op: 'flush-set', set: 'block4', map: false })
    expect(block4.slice(1)).toEqual(
      stay.map((r) => ({ op: 'add-element', set: 'block4', key: r.address, value: '' })),
    )
    expect(changes).toContainEqual({ op: 'flush-set', set: 'cd4', map: true })
    expect(changes.filter((c) => c.op === 'delete-element')).toEqual([])
  })

  it('rejects a bad rule set before changing anything', () => {
    const table = empty()
    const plan = (rules: SubscriberRule[]) => () => planChanges(rules, table, noReading, new Map())
    const open = (subscriberId: string, address: string): SubscriberRule => ({
      subscriberId,
      address,
      state: 'open',
    })
    expect(plan([open('a', '10.0.0.0/24'), open('b', '10.0.0.7')])).toThrow(/a \(10.0.0.0\/24\) and b/)
    expect(plan([open('a', '10.0.0.1'), open('a', '10.0.0.2')])).toThrow(/twice/)
    expect(plan([open('a b', '10.0.0.1')])).toThrow(/subscriber id/)
    expect(plan([open('a', '10.0.0.1/24')])).toThrow(/host bits/)
    expect(plan([{ ...open('a', '10.0.0.1'), state: 'throttled' }])).toThrow(/throttleKbps/)
  })
})

describe('limitFor', () => {
  it('turns kbit/s into bytes/s with a burst that holds a GRO packet', () => {
    expect(limitFor(8000)).toEqual({ bytesPerSecond: 1_000_000, burstBytes: 131_072 })
    expect(limitFor(100_000)).toEqual({ bytesPerSecond: 12_500_000, burstBytes: 1_250_000 })
    expect(limitFor(256)).toEqual({ bytesPerSecond: 32_000, burstBytes: 131_072 })
  })
})
