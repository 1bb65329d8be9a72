import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { CounterReading, SubscriberRule } from '../driver.js'
import { counterSamples } from './counters.js'
import { type InstalledTable, parseListing } from './nft-json.js'
import { limitFor, planChanges } from './plan.js'
import { emptyTable } from './testing-tables.js'

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

const noReading: CounterReading = { atMs: 0, bootId: 'b', samples: [] }
const readingOf = (table: InstalledTable): CounterReading => ({
  atMs: 1,
  bootId: 'b',
  samples: counterSamples(table),
})

describe('planChanges', () => {
  it('installs everything for new subscribers', () => {
    const { changes, caps } = planChanges(RULES, emptyTable(), noReading, new Map())
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
    expect(caps).toEqual(new Map([['alice-1', { count: 'both' as const, cap: 10_000_000n }]]))
  })

  it('changes nothing when the table already matches (also without remembered caps)', () => {
    const table = parseListing(LISTING, 'capd')
    const plan = planChanges(CURRENT, table, readingOf(table), new Map())
    expect(plan.changes).toEqual([])
    expect(plan.caps.get('alice-1')).toEqual({ count: 'both', cap: 10_000_000n })
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
      { op: 'delete-element', set: 'qd4', key: '10.200.0.2' },
      { op: 'delete-element', set: 'qu4', key: '10.200.0.2' },
      { op: 'delete-element', set: 'ld6', key: 'fd00:200::/64' },
      { op: 'delete-element', set: 'lu6', key: 'fd00:200::/64' },
    ])
  })

  it('re-creates a limit whose rate changed, re-pointing its elements', () => {
    const table = parseListing(LISTING, 'capd')
    const rules = CURRENT.map((r) => (r.throttleKbps ? { ...r, throttleKbps: 4000 } : r))
    const { changes } = planChanges(
      rules,
      table,
      readingOf(table),
      new Map([['alice-1', { count: 'both' as const, cap: 10_000_000n }]]),
    )
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
    const { changes } = planChanges(
      rules,
      table,
      readingOf(table),
      new Map([['alice-1', { count: 'both' as const, cap: 10_000_000n }]]),
    )
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
    const { changes, caps } = planChanges(
      rules,
      table,
      readingOf(table),
      new Map([['alice-1', { count: 'both' as const, cap: 10_000_000n }]]),
    )
    expect(changes).toEqual([
      { op: 'set-quota', name: 'q_alice-1', subscriberId: 'alice-1', overBytes: 60_000_000n },
    ])
    expect(caps.get('alice-1')).toEqual({ count: 'both', cap: 60_000_000n })
  })

  it('holds a blocked subscriber counted both ways with its quota: the top-up then changes that quota only', () => {
    const table = parseListing(LISTING, 'capd')
    const caps = new Map([['alice-1', { count: 'both' as const, cap: 10_000_000n }]])
    const at = (rule: Partial<SubscriberRule>) =>
      RULES.map((r) => (r.subscriberId === 'alice-1' ? { ...r, ...rule } : r))
    // Blocked with less than a packet left by the books: the live quota is lowered to that.
    const blocked = planChanges(
      at({ state: 'blocked', remainingBytes: 5_000n }),
      table,
      readingOf(table),
      caps,
    )
    expect(blocked.changes).toEqual([
      { op: 'set-quota', name: 'q_alice-1', subscriberId: 'alice-1', overBytes: 1_007_408n },
    ])
    // Spent honestly, the quota stays as it is while blocked; the top-up re-arms it, no element changes.
    const spent = parseListing(
      LISTING.replace('"bytes": 10000000, "used": 1002408', '"bytes": 1007408, "used": 1007408'),
      'capd',
    )
    expect(spent.quotas.get('q_alice-1')).toMatchObject({ overBytes: 1_007_408n, usedBytes: 1_007_408n })
    const still = planChanges(
      at({ state: 'blocked', remainingBytes: 0n }),
      spent,
      readingOf(spent),
      blocked.caps,
    )
    expect(still.changes).toEqual([])
    const toppedUp = planChanges(
      at({ remainingBytes: 250_000n }),
      spent,
      readingOf(spent),
      blocked.caps,
      true,
      new Set(['alice-1']),
    )
    expect(toppedUp.changes).toEqual([
      { op: 'set-quota', name: 'q_alice-1', subscriberId: 'alice-1', overBytes: 250_000n, reset: true },
    ])
  })

  it('blocks in the block set a subscriber the books give a packet or more: its re-armed quota would let it through', () => {
    // The quota ran out before the books say it should, or a stale reading said "spent" after a
    // top-up: the quota is re-armed with what the books allow, and the set holds the block.
    const spent = parseListing(
      LISTING.replace('"bytes": 10000000, "used": 1002408', '"bytes": 1002408, "used": 1002408'),
      'capd',
    )
    const rules = RULES.map((r) =>
      r.subscriberId === 'alice-1' ? { ...r, state: 'blocked' as const, remainingBytes: 250_000n } : r,
    )
    const { changes } = planChanges(rules, spent, readingOf(spent), new Map())
    expect(changes).toEqual([
      { op: 'set-quota', name: 'q_alice-1', subscriberId: 'alice-1', overBytes: 250_000n, reset: true },
      { op: 'add-element', set: 'block4', key: '10.200.0.2', value: '' },
    ])
  })

  it('blocks a subscriber counted one way in the block set: the other direction would pass its quota', () => {
    const table = parseListing(LISTING, 'capd')
    const rules = RULES.map((r) =>
      r.subscriberId === 'alice-1'
        ? { ...r, state: 'blocked' as const, remainingBytes: 0n, count: 'down' as const }
        : r,
    )
    const { changes } = planChanges(rules, table, readingOf(table), new Map())
    expect(changes).toContainEqual({ op: 'add-element', set: 'block4', key: '10.200.0.2', value: '' })
  })

  it("puts a one-way subscriber in that direction's quota map only, capped in that counter space", () => {
    const rules: SubscriberRule[] = [
      { subscriberId: 'd', address: '10.1.0.1', state: 'open', remainingBytes: 1000n, count: 'down' },
      { subscriberId: 'u', address: 'fd00:1::1', state: 'open', remainingBytes: 2000n, count: 'up' },
      { subscriberId: 'b', address: '10.1.0.3', state: 'open', remainingBytes: 3000n },
    ]
    const table = emptyTable()
    const counters = { d: [500n, 70n], u: [900n, 40n], b: [10n, 20n] } as const
    for (const [id, [down, up]] of Object.entries(counters)) {
      table.counters.set(`cd_${id}`, { handle: 1, packets: 1n, bytes: down })
      table.counters.set(`cu_${id}`, { handle: 2, packets: 1n, bytes: up })
    }
    const { changes, caps } = planChanges(rules, table, noReading, new Map())
    const quotaElements = changes.filter((c) => c.op === 'add-element' && c.set.startsWith('q'))
    expect(quotaElements).toEqual([
      { op: 'add-element', set: 'qd4', key: '10.1.0.1', value: 'q_d' },
      { op: 'add-element', set: 'qd4', key: '10.1.0.3', value: 'q_b' },
      { op: 'add-element', set: 'qu4', key: '10.1.0.3', value: 'q_b' },
      { op: 'add-element', set: 'qu6', key: 'fd00:1::1', value: 'q_u' },
    ])
    expect(caps).toEqual(
      new Map([
        ['d', { count: 'down', cap: 1500n }],
        ['u', { count: 'up', cap: 2040n }],
        ['b', { count: 'both', cap: 3030n }],
      ]),
    )
  })

  it('moves a subscriber to one-way counting keeping its quota and what it consumed', () => {
    const table = parseListing(LISTING, 'capd')
    const rules = CURRENT.map((r) => (r.remainingBytes ? { ...r, count: 'down' as const } : r))
    const last = new Map([['alice-1', { count: 'both' as const, cap: 10_000_000n }]])
    const { changes, caps } = planChanges(rules, table, readingOf(table), last)
    // The quota's remaining is still right (what is left does not depend on the direction).
    expect(changes).toEqual([{ op: 'delete-element', set: 'qu4', key: '10.200.0.2' }])
    const down = table.counters.get('cd_alice-1')!.bytes
    expect(caps.get('alice-1')).toEqual({ count: 'down', cap: down + 8_997_592n })
  })

  it('counts what passed on counters created after the reading, when the reading is the whole table', () => {
    // Read before the counters existed; created by the last apply; 3 000 bytes have passed since.
    const table = emptyTable()
    table.counters.set('cd_n', { handle: 1, packets: 2n, bytes: 2_000n })
    table.counters.set('cu_n', { handle: 2, packets: 1n, bytes: 1_000n })
    table.quotas.set('q_n', { handle: 3, overBytes: 10_000n, usedBytes: 3_000n })
    const rule: SubscriberRule = {
      subscriberId: 'n',
      address: '10.1.0.9',
      state: 'open',
      remainingBytes: 10_000n,
    }
    const last = new Map([['n', { count: 'both' as const, cap: 10_000n }]])
    const complete = planChanges([rule], table, noReading, last, true)
    expect(complete.caps.get('n')).toEqual({ count: 'both', cap: 10_000n })
    expect(complete.changes.filter((c) => c.op === 'set-quota')).toEqual([])
    // A placeholder reading says nothing of when the counters began: the old assumption stands.
    expect(planChanges([rule], table, noReading, last).caps.get('n')).toEqual({ count: 'both', cap: 13_000n })
  })

  it('throttles upload at its own rate when one is given', () => {
    const rules: SubscriberRule[] = [
      { subscriberId: 't', address: '10.1.0.1', state: 'throttled', throttleKbps: 2000, throttleUpKbps: 500 },
    ]
    const limits = planChanges(rules, emptyTable(), noReading, new Map()).changes.filter(
      (c) => c.op === 'add-limit',
    )
    expect(limits).toEqual([
      { op: 'add-limit', name: 'ld_t', subscriberId: 't', ...limitFor(2000) },
      { op: 'add-limit', name: 'lu_t', subscriberId: 't', ...limitFor(500) },
    ])
  })

  it('fills the per-direction quota maps of a table upgraded from one quota map, keeping the quota', () => {
    const v1 = parseListing(
      readFileSync(new URL('./fixtures/list-table-v1.json', import.meta.url), 'utf8'),
      'capd',
    )
    const { changes } = planChanges(CURRENT, v1, readingOf(v1), new Map())
    expect(changes).toEqual([
      { op: 'add-element', set: 'qd4', key: '10.200.0.2', value: 'q_alice-1' },
      { op: 'add-element', set: 'qu4', key: '10.200.0.2', value: 'q_alice-1' },
    ])
  })

  it('rewrites a set instead of deleting many of its elements one by one', () => {
    const crowd: SubscriberRule[] = Array.from({ length: 100 }, (_, i) => ({
      subscriberId: `s${i}`,
      address: `10.9.0.${i}`,
      state: 'blocked',
    }))
    const table = emptyTable()
    for (const c of planChanges(crowd, emptyTable(), noReading, new Map()).changes) {
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

  const open = (subscriberId: string, address: string): SubscriberRule => ({
    subscriberId,
    address,
    state: 'open',
  })
  const BAD: Array<[string, SubscriberRule, string, RegExp]> = [
    ['overlapping alice-1', open('wide', '10.200.0.0/16'), 'address_overlap', /overlaps subscriber alice-1/],
    ['a catch-all', open('all', '0.0.0.0/0'), 'invalid_address', /catch-all/],
    ['an IPv6 catch-all', open('all6', '::/0'), 'invalid_address', /catch-all/],
    ['a multicast address', open('mc', '224.0.0.1'), 'invalid_address', /multicast/],
    ['an IPv4-mapped address', open('mapped', '::ffff:10.200.0.2'), 'invalid_address', /IPv4-mapped/],
    ['host bits', open('hb', '10.0.0.1/24'), 'invalid_address', /host bits/],
    ['no address at all', open('nope', 'example.com'), 'invalid_address', /not an IPv4/],
    ['a bad id', open('a b', '10.0.0.1'), 'invalid_rule', /subscriber id/],
    [
      'a throttle without a rate',
      { ...open('t', '10.0.0.1'), state: 'throttled' },
      'invalid_rule',
      /throttleKbps/,
    ],
    [
      'an upload throttle of 0',
      { ...open('tu', '10.0.0.2'), state: 'throttled', throttleKbps: 100, throttleUpKbps: 0 },
      'invalid_rule',
      /throttleUpKbps/,
    ],
    [
      'an unknown direction',
      { ...open('dir', '10.0.0.3'), remainingBytes: 5n, count: 'sideways' as 'up' },
      'invalid_rule',
      /unknown count/,
    ],
    ['alice-1 twice', open('alice-1', '10.0.0.9'), 'invalid_rule', /twice/],
  ]

  it.each(BAD)('skips a rule with %s and still enforces everyone else', (_, bad, code, message) => {
    // The bad rule comes last (the newest subscriber) and again first where it may (an overlap
    // keeps whoever was held first, so that case is only tried last).
    const orders =
      bad.subscriberId === 'wide' || bad.subscriberId === 'alice-1'
        ? [[...RULES, bad]]
        : [
            [...RULES, bad],
            [bad, ...RULES],
          ]
    for (const rules of orders) {
      const withBad = planChanges(rules, emptyTable(), noReading, new Map())
      const without = planChanges(RULES, emptyTable(), noReading, new Map())
      expect(withBad.changes).toEqual(without.changes)
      expect(withBad.caps).toEqual(without.caps)
      expect(withBad.skipped).toEqual([
        { subscriberId: bad.subscriberId, code, message: expect.stringMatching(message) },
      ])
      // Against the table as it stands: nothing to change for the good ones, nothing added for the bad.
      const table = parseListing(LISTING, 'capd')
      const current = rules.map(
        (r) => CURRENT.find((c) => c.subscriberId === r.subscriberId && r !== bad) ?? r,
      )
      expect(planChanges(current, table, readingOf(table), new Map()).changes).toEqual([])
    }
  })

  it('skips every bad rule of a random mix and plans the good ones as if alone', () => {
    for (let round = 0; round < 50; round++) {
      // An overlap keeps whoever came first, so the wide prefix (which holds two of RULES) comes last.
      const bad = BAD.map(([, rule]) => rule).filter((rule) => rule.subscriberId !== 'wide')
      const mix = [...[...RULES, ...bad].sort(() => Math.random() - 0.5), BAD[0]![1]]
      const good = mix.filter((r) => RULES.includes(r))
      const firstAlice = mix.find((r) => r.subscriberId === 'alice-1')!
      if (firstAlice !== RULES[0]) continue // alice-1's duplicate first: a different subscriber set
      const withBad = planChanges(mix, emptyTable(), noReading, new Map())
      const alone = planChanges(good, emptyTable(), noReading, new Map())
      expect(
        new Set(
          withBad.changes.map((c) => JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? `${v}` : v))),
        ),
      ).toEqual(
        new Set(alone.changes.map((c) => JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? `${v}` : v)))),
      )
      expect(withBad.skipped.map((p) => p.subscriberId).sort()).toEqual(
        BAD.map(([, rule]) => rule.subscriberId).sort(),
      )
    }
  })
})

describe('limitFor', () => {
  it('turns kbit/s into bytes/s with a burst that holds a GRO packet', () => {
    expect(limitFor(8000)).toEqual({ bytesPerSecond: 1_000_000, burstBytes: 131_072 })
    expect(limitFor(100_000)).toEqual({ bytesPerSecond: 12_500_000, burstBytes: 1_250_000 })
    expect(limitFor(256)).toEqual({ bytesPerSecond: 32_000, burstBytes: 131_072 })
  })
})
