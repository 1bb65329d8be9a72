import type { SubscriberLimit } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { rollPeriod, takeLimit } from './books.js'
import type { Book } from './state/checkpoint.js'

const book = (periodStart: string, periodEnd: string): Book => {
  const limit: SubscriberLimit = {
    subscriberId: 'sub_a',
    address: '10.0.0.5',
    periodStart,
    periodEnd,
    limitBytes: 1000,
    usedBytes: 0,
    limitVersion: 1,
    onCap: 'block',
  }
  return { ...takeLimit(undefined, limit)!, usedBytes: 700 }
}

/** The period roll stepped one period at a time: the meaning rollPeriod must keep. */
function steppedRoll(b: Book, nowMs: number): { periodStart: string; periodEnd: string } {
  let start = Date.parse(b.periodStart)
  let end = Date.parse(b.periodEnd)
  while (nowMs >= end) {
    const length = end - start
    start = end
    end += length
  }
  return { periodStart: new Date(start).toISOString(), periodEnd: new Date(end).toISOString() }
}

const random = (seed: number) => seededRandom(seed).next

describe('rollPeriod', () => {
  it('lands where stepping one period at a time lands, for random periods and clocks', () => {
    const next = random(20261130)
    for (let i = 0; i < 2000; i++) {
      const startMs = Date.parse('2026-01-01T00:00:00Z') + Math.floor(next() * 86_400_000 * 365)
      const lengthMs = 1 + Math.floor(next() * 40 * 86_400_000)
      const b = book(new Date(startMs).toISOString(), new Date(startMs + lengthMs).toISOString())
      // Before, at, just after the end, and up to 200 periods later.
      const nowMs = startMs + Math.floor(next() * lengthMs * (next() < 0.3 ? 2 : 200))
      const rolled = rollPeriod(b, nowMs)
      const want = steppedRoll(b, nowMs)
      expect({ periodStart: rolled.periodStart, periodEnd: rolled.periodEnd }).toEqual(want)
      if (nowMs < startMs + lengthMs) expect(rolled).toBe(b)
      else expect(rolled).toMatchObject({ usedBytes: 0, quotaSpent: false })
    }
  })

  it('takes one step however many periods passed (a 1 ms period dated 2020 does not hang the agent)', () => {
    const b = book('2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.001Z')
    const nowMs = Date.parse('2026-11-30T18:00:00.123Z')
    const rolled = rollPeriod(b, nowMs)
    expect(rolled.periodStart).toBe('2026-11-30T18:00:00.123Z')
    expect(rolled.periodEnd).toBe('2026-11-30T18:00:00.124Z')
  })
})
