import { readFileSync } from 'node:fs'
import { parseIpPrefix } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import type { CounterReading, SubscriberRule } from '../driver.js'
import { counterSamples } from './counters.js'
import { type InstalledTable, parseListing } from './nft-json.js'
import { planChanges } from './plan.js'

// The fixture's subscribers (see plan.test.ts); alice-1 (10.200.0.2, 8 997 592 bytes left) is
// known here by her login "alice" alone, as on a BRAS.
const LISTING = readFileSync(new URL('./fixtures/list-table.json', import.meta.url), 'utf8')
const ALICE: SubscriberRule = {
  subscriberId: 'alice-1',
  login: 'alice',
  state: 'open',
  remainingBytes: 8_997_592n,
}
const OTHERS: SubscriberRule[] = [
  { subscriberId: 'alice6', address: 'fd00:200::/64', state: 'throttled', throttleKbps: 8000 },
  { subscriberId: 'bob', address: '10.200.1.0/30', state: 'blocked' },
  { subscriberId: 'bob6', address: 'fd00:200:1::2', state: 'open' },
]
const table = () => parseListing(LISTING, 'capd')
const readingOf = (installed: InstalledTable): CounterReading => ({
  atMs: 1,
  bootId: 'b',
  samples: counterSamples(installed),
})
const sessions = (...entries: Array<[string, string[]]>) =>
  new Map(entries.map(([login, addresses]) => [login, addresses.map(parseIpPrefix)]))
const plan = (
  rules: SubscriberRule[],
  logins: ReturnType<typeof sessions> | undefined,
  only?: Set<string>,
) => {
  const installed = table()
  return planChanges(rules, installed, readingOf(installed), new Map(), true, only, logins)
}
/** alice's maps, in the order plans visit them. */
const MAPS = ['qd4', 'qu4', 'cd4', 'cu4']

describe('planChanges for subscribers known by login', () => {
  it('changes nothing while the session keeps its address', () => {
    expect(plan([ALICE, ...OTHERS], sessions(['alice', ['10.200.0.2']])).changes).toEqual([])
  })

  it('moves only the map elements on a re-login at another address: counters and quota carry on', () => {
    for (const only of [undefined, new Set(['alice-1'])]) {
      const { changes, skipped } = plan([ALICE, ...OTHERS], sessions(['alice', ['10.200.0.9']]), only)
      expect(skipped).toEqual([])
      const names = { cd4: 'cd_alice-1', cu4: 'cu_alice-1', qd4: 'q_alice-1', qu4: 'q_alice-1' }
      expect(changes).toEqual([
        ...MAPS.flatMap((set) => [
          { op: 'delete-element', set, key: '10.200.0.2' },
          { op: 'add-element', set, key: '10.200.0.9', value: names[set as keyof typeof names] },
        ]),
      ])
    }
  })

  it('enforces every address of a login with several sessions, blocked on all of them', () => {
    // Counted one way, so her quota does not hold the block: the block set does, on each address.
    const blocked = { ...ALICE, state: 'blocked' as const, count: 'down' as const }
    const { changes } = plan([blocked, ...OTHERS], sessions(['alice', ['10.200.0.2', 'fd00:300::/64']]))
    expect(changes).toContainEqual({ op: 'add-element', set: 'block4', key: '10.200.0.2', value: '' })
    expect(changes).toContainEqual({ op: 'add-element', set: 'block6', key: 'fd00:300::/64', value: '' })
    expect(changes).toContainEqual({
      op: 'add-element',
      set: 'cd6',
      key: 'fd00:300::/64',
      value: 'cd_alice-1',
    })
    // Only her upload quota element goes (counted down now); no counter is made anew.
    expect(changes.filter((c) => c.op.startsWith('delete') || c.op.startsWith('add-counter'))).toEqual([
      { op: 'delete-element', set: 'qu4', key: '10.200.0.2' },
    ])
  })

  it('on logout removes the addresses and keeps the counters and quota for the next session', () => {
    const { changes, skipped } = plan([ALICE, ...OTHERS], sessions())
    expect(skipped).toEqual([])
    expect(changes).toEqual(MAPS.map((set) => ({ op: 'delete-element', set, key: '10.200.0.2' })))
  })

  it('creates the counters of a login not seen yet, before its first session', () => {
    const carol: SubscriberRule = { subscriberId: 'carol', login: 'carol', state: 'open' }
    const { changes } = plan([ALICE, ...OTHERS, carol], sessions(['alice', ['10.200.0.2']]))
    expect(changes).toEqual([
      { op: 'add-counter', name: 'cd_carol', subscriberId: 'carol' },
      { op: 'add-counter', name: 'cu_carol', subscriberId: 'carol' },
    ])
  })

  it('leaves a session address inside a subscriber-with-address prefix to that subscriber, and says so', () => {
    const { changes, skipped } = plan([ALICE, ...OTHERS], sessions(['alice', ['10.200.1.1']]))
    expect(skipped).toEqual([
      {
        subscriberId: 'alice-1',
        code: 'address_overlap',
        message: expect.stringMatching(
          /session address 10\.200\.1\.1 of login "alice" overlaps subscriber bob \(10\.200\.1\.0\/30\)/,
        ),
      },
    ])
    // bob keeps his block; alice's objects stay, only her old address goes.
    expect(changes).toEqual(MAPS.map((set) => ({ op: 'delete-element', set, key: '10.200.0.2' })))
  })

  it('gives an address two logins list to the one listed first', () => {
    const dave: SubscriberRule = { subscriberId: 'dave', login: 'dave', state: 'open' }
    const { skipped, changes } = plan(
      [ALICE, ...OTHERS, dave],
      sessions(['alice', ['10.200.0.2']], ['dave', ['10.200.0.2']]),
    )
    expect(skipped.map((s) => [s.subscriberId, s.code])).toEqual([['dave', 'address_overlap']])
    expect(changes.filter((c) => c.op !== 'add-counter')).toEqual([])
  })

  it('without a session source skips login rules as before (no_address), removing what they had', () => {
    const { changes, skipped } = plan([ALICE, ...OTHERS], undefined)
    expect(skipped.map((s) => [s.subscriberId, s.code])).toEqual([['alice-1', 'no_address']])
    expect(changes).toContainEqual({ op: 'delete-object', kind: 'counter', name: 'cd_alice-1' })
  })
})
