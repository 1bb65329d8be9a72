import { parseIpPrefix } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { findOverlap } from './overlap.js'

const own = (subscriberId: string, address: string) => ({ subscriberId, prefix: parseIpPrefix(address) })

describe('findOverlap', () => {
  it('accepts disjoint and adjacent prefixes of both families', () => {
    const items = [
      own('a', '10.0.0.0/30'),
      own('b', '10.0.0.4/30'),
      own('c', '10.0.0.8'),
      own('d', 'fd00::/64'),
      own('e', 'fd00:0:0:1::/64'),
      own('f', '10.0.0.0/30'.replace('10', '11')),
    ]
    expect(findOverlap(items)).toBeUndefined()
  })

  it('finds an address inside another subscriber prefix', () => {
    const pair = findOverlap([own('wide', '10.1.0.0/16'), own('x', '10.2.0.1'), own('inner', '10.1.200.7')])
    expect(pair?.map((item) => item.subscriberId)).toEqual(['wide', 'inner'])
  })

  it('finds nested IPv6 prefixes and equal addresses', () => {
    expect(findOverlap([own('a', 'fd00::/48'), own('b', 'fd00:0:0:ff::/64')])).toBeDefined()
    expect(findOverlap([own('a', '10.0.0.1'), own('b', '10.0.0.1')])).toBeDefined()
  })

  it('finds an overlap behind a wide prefix that a later narrow one does not end', () => {
    const pair = findOverlap([own('w', '10.0.0.0/8'), own('n', '10.0.0.1'), own('m', '10.9.9.9')])
    expect(pair?.map((item) => item.subscriberId)).toEqual(['w', 'n'])
  })
})
