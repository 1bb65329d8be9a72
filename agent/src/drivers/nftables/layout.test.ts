import { describe, expect, it } from 'vitest'
import { objectNames, parseObjectName, RULES } from './layout.js'

describe('object names', () => {
  it('derive from the id and map back to it', () => {
    const names = objectNames('9-a_B')
    expect(names).toEqual({
      countDown: 'cd_9-a_B',
      countUp: 'cu_9-a_B',
      quota: 'q_9-a_B',
      limitDown: 'ld_9-a_B',
      limitUp: 'lu_9-a_B',
    })
    expect(parseObjectName('counter', names.countUp)).toEqual({ subscriberId: '9-a_B', role: 'countUp' })
    expect(parseObjectName('limit', names.limitDown)).toEqual({ subscriberId: '9-a_B', role: 'limitDown' })
  })

  it('reject ids nft could not hold and names that are not ours', () => {
    expect(() => objectNames('a b')).toThrow(RangeError)
    expect(() => objectNames('x'.repeat(65))).toThrow(RangeError)
    expect(parseObjectName('counter', 'q_alice')).toBeUndefined()
    expect(parseObjectName('counter', 'mine')).toBeUndefined()
    expect(parseObjectName('quota', 'q_a.b')).toBeUndefined()
  })
})

describe('RULES', () => {
  it('drop (block, throttle, quota) before they count, so dropped bytes are never usage', () => {
    const kinds = RULES.map((rule) => rule.comment.split(':')[2]!.split('-')[0])
    expect(kinds).toEqual([
      ...Array(4).fill('block'),
      ...Array(4).fill('limit'),
      ...Array(4).fill('quota'),
      ...Array(4).fill('count'),
    ])
    // Each direction has its own quota map: a one-way subscriber is in one of them only.
    expect(RULES.find((r) => r.comment === 'capd:v2:quota-up6')?.text).toBe(
      'quota name ip6 saddr map @qu6 drop',
    )
    expect(RULES.find((r) => r.comment === 'capd:v2:quota-down4')?.text).toBe(
      'quota name ip daddr map @qd4 drop',
    )
    expect(new Set(RULES.map((r) => r.comment)).size).toBe(RULES.length)
  })
})
