import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { counterSamples } from './counters.js'
import { RULES } from './layout.js'
import { elementKey, parseListing, protectBigNumbers } from './nft-json.js'

// Captured from `nft -j list table inet capd` (nft 1.0.6) after the driver applied four subscribers.
const LISTING = readFileSync(new URL('./fixtures/list-table.json', import.meta.url), 'utf8')

describe('parseListing', () => {
  const table = parseListing(LISTING, 'capd')

  it('reads counters, quotas and limits with their handles', () => {
    expect(table.handle).toBe(1)
    expect(table.counters.get('cd_alice-1')).toEqual({ handle: 30, packets: 30n, bytes: 1001568n })
    expect(table.counters.get('cu_alice-1')).toEqual({ handle: 31, packets: 16n, bytes: 840n })
    expect(table.quotas.get('q_alice-1')).toEqual({
      handle: 32,
      overBytes: 10_000_000n,
      usedBytes: 1_002_408n,
    })
    // `burst 128 kbytes` as nft prints it back.
    expect(table.limits.get('ld_alice6')).toEqual({
      handle: 35,
      bytesPerSecond: 1_000_000,
      burstBytes: 131_072,
      over: true,
    })
  })

  it('reads set and map elements as canonical prefixes', () => {
    expect([...table.elements.get('block4')!]).toEqual([['10.200.1.0/30', '']])
    expect([...table.elements.get('cd4')!]).toEqual([
      ['10.200.0.2', 'cd_alice-1'],
      ['10.200.1.0/30', 'cd_bob'],
    ])
    expect([...table.elements.get('ld6')!]).toEqual([['fd00:200::/64', 'ld_alice6']])
    expect(table.elements.get('qd6')?.size).toBe(0)
  })

  it('reads the chain and its rules in order', () => {
    expect(table.chain).toMatchObject({ type: 'filter', hook: 'forward', prio: -10, policy: 'accept' })
    expect(table.chain?.ruleComments).toEqual(RULES.map((rule) => rule.comment))
  })

  it('makes one sample per subscriber whose counterId names table and object handles', () => {
    expect(counterSamples(table)).toEqual([
      { subscriberId: 'alice-1', counterId: 'nft:1:30:31', down: 1001568n, up: 840n },
      { subscriberId: 'alice6', counterId: 'nft:1:33:34', down: 0n, up: 0n },
      { subscriberId: 'bob', counterId: 'nft:1:37:38', down: 0n, up: 0n },
      { subscriberId: 'bob6', counterId: 'nft:1:39:40', down: 0n, up: 0n },
    ])
  })

  it('keeps counters above 2^53 exact', () => {
    const big = LISTING.replace('"bytes": 1001568', '"bytes": 18446744073709551615')
    expect(parseListing(big, 'capd').counters.get('cd_alice-1')?.bytes).toBe(18446744073709551615n)
    expect(protectBigNumbers('{"used": 9007199254740993}')).toBe('{"used": "9007199254740993"}')
  })

  it('ignores a table of another name and fails when ours is absent', () => {
    expect(() => parseListing(LISTING, 'other')).toThrow(/no table inet other/)
  })
})

describe('elementKey', () => {
  it('canonicalises every element shape nft prints', () => {
    expect(elementKey('10.0.0.1')).toBe('10.0.0.1')
    expect(elementKey({ prefix: { addr: 'fd00:0:0:1::', len: 64 } })).toBe('fd00:0:0:1::/64')
    expect(elementKey({ prefix: { addr: '10.0.0.4', len: 32 } })).toBe('10.0.0.4')
    expect(elementKey({ range: ['fd00::1', 'fd00::3'] })).toBe('fd00::1-fd00::3')
    expect(elementKey({ elem: { val: '10.0.0.9', comment: 'x' } })).toBe('10.0.0.9')
    expect(() => elementKey({ concat: [] })).toThrow(/unexpected nft set element/)
  })
})
