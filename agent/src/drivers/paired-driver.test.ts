import { describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver, SubscriberRule } from './driver.js'
import { counterName, pairCountersWithEnforcer } from './paired-driver.js'
import type { SnmpCounterSource } from './snmp/counter-source.js'

const rule = (over: Partial<SubscriberRule> = {}): SubscriberRule => ({
  subscriberId: 'sub_a',
  address: '10.0.0.5',
  login: 'alice',
  state: 'open',
  ...over,
})

describe('counters paired with an enforcer', () => {
  it('names counters from the pattern or the explicit map', () => {
    expect(counterName(rule(), { namePattern: '<pppoe-{login}>' })).toBe('<pppoe-alice>')
    expect(counterName(rule(), { namePattern: 'q-{subscriberId}', names: { sub_a: 'vlan120' } })).toBe(
      'vlan120',
    )
    expect(counterName(rule({ login: undefined }), { namePattern: '<pppoe-{login}>' })).toBeUndefined()
    expect(counterName(rule(), { namePattern: 'capd:{subscriberId}' })).toBe('capd:sub_a')
  })

  it('reads the names of the last applied rules and enforces without a byte allowance', async () => {
    const asked: ReadonlyMap<string, string>[] = []
    const applied: (readonly SubscriberRule[])[] = []
    const source: SnmpCounterSource = {
      readCounters: async (names) => {
        asked.push(new Map(names))
        return { atMs: 1, bootId: 'b', samples: [] }
      },
      close: async () => {},
    }
    const enforcer: RouterDriver = {
      kind: 'nftables',
      start: async () => {},
      readCounters: async (): Promise<CounterReading> => ({ atMs: 1, bootId: 'x', samples: [] }),
      apply: async (rules) => {
        applied.push(rules)
        return { skipped: [] }
      },
      close: async () => {},
    }
    const driver = pairCountersWithEnforcer(source, enforcer, { namePattern: '<pppoe-{login}>' })
    expect(driver.kind).toBe('snmp+nftables')
    const throttled = rule({ subscriberId: 'sub_b', login: 'bob', state: 'throttled', throttleKbps: 2000 })
    await driver.apply(
      [rule({ remainingBytes: 10n, count: 'down' }), { ...throttled, throttleUpKbps: 500 }],
      {
        atMs: 0,
        bootId: '',
        samples: [],
      },
    )
    await driver.readCounters()
    expect([...asked[0]!]).toEqual([
      ['sub_a', '<pppoe-alice>'],
      ['sub_b', '<pppoe-bob>'],
    ])
    expect(applied[0]!.map((r) => r.remainingBytes)).toEqual([undefined, undefined])
    expect(applied[0]![0]).not.toHaveProperty('count')
    expect(applied[0]![1]).toEqual({ ...throttled, throttleUpKbps: 500 })
  })
})
