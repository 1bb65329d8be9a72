import { parseIpPrefix, prefixRange } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { keepFirst } from './overlap.js'

const own = (subscriberId: string, address: string) => ({ subscriberId, prefix: parseIpPrefix(address) })
const ids = (items: ReadonlyArray<{ subscriberId: string }>) => items.map((item) => item.subscriberId)

describe('keepFirst', () => {
  it('keeps disjoint and adjacent prefixes of both families', () => {
    const items = [
      own('a', '10.0.0.0/30'),
      own('b', '10.0.0.4/30'),
      own('c', '10.0.0.8'),
      own('d', 'fd00::/64'),
      own('e', 'fd00:0:0:1::/64'),
      own('f', '11.0.0.0/30'),
    ]
    expect(keepFirst(items)).toEqual({ kept: items, dropped: [] })
  })

  it('drops a wide prefix listed after an address it holds, and an address inside an earlier prefix', () => {
    const result = keepFirst([
      own('alice', '10.0.0.5'),
      own('wide', '10.0.0.0/16'),
      own('x', '10.2.0.1'),
      own('net', '10.3.0.0/16'),
      own('inner', '10.3.200.7'),
    ])
    expect(ids(result.kept)).toEqual(['alice', 'x', 'net'])
    expect(result.dropped.map(({ item, keptOne }) => [item.subscriberId, keptOne.subscriberId])).toEqual([
      ['wide', 'alice'],
      ['inner', 'net'],
    ])
  })

  it('drops the later of equal addresses, and nested IPv6 prefixes', () => {
    expect(ids(keepFirst([own('a', '10.0.0.1'), own('b', '10.0.0.1')]).kept)).toEqual(['a'])
    expect(ids(keepFirst([own('a', 'fd00::/48'), own('b', 'fd00:0:0:ff::/64')]).kept)).toEqual(['a'])
    expect(ids(keepFirst([own('b', 'fd00:0:0:ff::/64'), own('a', 'fd00::/48')]).kept)).toEqual(['b'])
  })

  it('agrees with a first-come brute force on random prefixes', () => {
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: 1 + Math.floor(Math.random() * 40) }, (_, i) => {
        if (Math.random() < 0.3) {
          const length = 120 + Math.floor(Math.random() * 9)
          const value = BigInt(Math.floor(Math.random() * 512))
          const bits = BigInt(128 - length)
          return own(`s${i}`, parseIpPrefix(`fd00::${((value >> bits) << bits).toString(16)}/${length}`).text)
        }
        const length = 24 + Math.floor(Math.random() * 9)
        const value = Math.floor(Math.random() * 256)
        const network = length === 32 ? value : value & ~((1 << (32 - length)) - 1)
        return own(`s${i}`, `10.0.0.${network}/${length}`)
      })
      const overlaps = (a: (typeof items)[0], b: (typeof items)[0]) => {
        if (a.prefix.family !== b.prefix.family) return false
        const ra = prefixRange(a.prefix)
        const rb = prefixRange(b.prefix)
        return ra.start <= rb.end && rb.start <= ra.end
      }
      const expected: typeof items = []
      for (const item of items) if (!expected.some((k) => overlaps(k, item))) expected.push(item)
      const result = keepFirst(items)
      expect(ids(result.kept)).toEqual(ids(expected))
      for (const { item, keptOne } of result.dropped) {
        expect(overlaps(item, keptOne)).toBe(true)
        expect(result.kept).toContain(keptOne)
      }
      expect(result.kept.length + result.dropped.length).toBe(items.length)
    }
  })
})
