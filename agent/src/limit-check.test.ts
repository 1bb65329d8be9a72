import type { SubscriberLimit } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { limitProblem } from './limit-check.js'

const NOW = Date.parse('2026-11-30T18:00:00Z')
const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

const limit = (startMs: number, endMs: number): SubscriberLimit => ({
  subscriberId: 'sub_a',
  address: '10.0.0.5',
  periodStart: iso(startMs),
  periodEnd: iso(endMs),
  limitBytes: 1000,
  usedBytes: 0,
  limitVersion: 1,
  onCap: 'block',
})

describe('limits the agent takes from a controller', () => {
  it('accepts ordinary billing periods around now, including a late or early controller', () => {
    for (const [start, end] of [
      [NOW - 10 * DAY, NOW + 20 * DAY],
      [NOW - 40 * DAY, NOW - 10 * DAY], // a controller a period behind
      [NOW + 1 * DAY, NOW + 29 * DAY], // a controller whose clock runs ahead
      [NOW - 3600_000, NOW], // exactly the shortest period
    ] as const) {
      expect(limitProblem(limit(start, end), NOW)).toBeUndefined()
    }
  })

  it('refuses periods shorter than an hour, and dates far from now, naming the subscriber', () => {
    for (const [start, end, why] of [
      [NOW - 1, NOW, /shorter than 1 hour/],
      [Date.parse('2020-01-01T00:00:00Z'), Date.parse('2020-01-01T00:00:00.001Z'), /shorter/],
      [Date.parse('2020-01-01T00:00:00Z'), Date.parse('2020-02-01T00:00:00Z'), /400 days/],
      [NOW + 401 * DAY, NOW + 431 * DAY, /400 days/],
      [NOW - 10 * DAY, NOW + 500 * DAY, /400 days/],
    ] as const) {
      expect(limitProblem(limit(start, end), NOW)).toMatch(why)
      expect(limitProblem(limit(start, end), NOW)).toMatch(/sub_a/)
    }
  })
})

describe('free windows the agent takes from a controller', () => {
  const period = limit(NOW - 10 * DAY, NOW + 20 * DAY)
  const window = (startMs: number, endMs: number) => ({ start: iso(startMs), end: iso(endMs) })

  it('accepts ordered windows inside the period, touching its ends', () => {
    const freeWindows = [
      window(NOW - 10 * DAY, NOW - 9 * DAY),
      window(NOW, NOW + 3600_000),
      window(NOW + 19 * DAY, NOW + 20 * DAY),
    ]
    expect(limitProblem({ ...period, freeWindows }, NOW)).toBeUndefined()
  })

  it('refuses windows out of order, overlapping, empty, unparseable or outside the period', () => {
    for (const [freeWindows, why] of [
      [[window(NOW, NOW + 10), window(NOW - 10, NOW - 5)], /in order/],
      [[window(NOW, NOW + 10), window(NOW + 5, NOW + 20)], /overlap/],
      [[window(NOW, NOW)], /end after it starts/],
      [[{ start: 'yesterday', end: iso(NOW) }], /bad free windows/],
      [[window(NOW - 11 * DAY, NOW - 9 * DAY)], /outside the period/],
      [[window(NOW, NOW + 21 * DAY)], /outside the period/],
    ] as const) {
      const problem = limitProblem({ ...period, freeWindows: [...freeWindows] } as SubscriberLimit, NOW)
      expect(problem).toMatch(why)
      expect(problem).toMatch(/sub_a/)
    }
  })
})
