import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { desiredState, ruleFor } from './books.js'
import { freeFrom, nextBoundaryMs } from './free-time.js'
import type { Book } from './state/checkpoint.js'

const iso = (ms: number) => new Date(ms).toISOString()
const T = Date.parse('2026-03-10T00:00:00Z')
const window = (startMs: number, endMs: number) => ({ start: iso(startMs), end: iso(endMs) })

describe('free time at the agent', () => {
  it('is free from a window start up to, not including, its end', () => {
    const limit = { freeWindows: [window(T, T + 1000)] }
    expect(freeFrom(limit, T - 1)).toBe(false)
    expect(freeFrom(limit, T)).toBe(true)
    expect(freeFrom(limit, T + 999)).toBe(true)
    expect(freeFrom(limit, T + 1000)).toBe(false)
    expect(freeFrom({}, T)).toBe(false)
  })

  it('finds the next window edge of any limit (randomized against a scan of every edge)', () => {
    const random = seededRandom(0x5eed)
    for (let round = 0; round < 200; round++) {
      const limits = Array.from({ length: random.int(0, 4) }, () => {
        let at = T + random.int(0, 50)
        const freeWindows = Array.from({ length: random.int(0, 5) }, () => {
          const start = at + random.int(0, 20)
          at = start + random.int(1, 20)
          return window(start, at)
        })
        return random.next() < 0.2 ? {} : { freeWindows }
      })
      const nowMs = T + random.int(-10, 200)
      const edges = limits
        .flatMap((l) => l.freeWindows ?? [])
        .flatMap((w) => [Date.parse(w.start), Date.parse(w.end)])
        .filter((e) => e > nowMs)
      const expected = edges.length === 0 ? undefined : Math.min(...edges)
      expect(nextBoundaryMs(limits, nowMs), JSON.stringify({ limits, nowMs })).toBe(expected)
    }
  })

  it('opens a book over its cap and drops its quota inside a window, and enforces again at the end', () => {
    const book: Book = {
      limit: {
        subscriberId: 'sub_a',
        address: '10.0.0.5',
        periodStart: iso(T - 86_400_000),
        periodEnd: iso(T + 86_400_000),
        limitBytes: 1000,
        usedBytes: 0,
        limitVersion: 1,
        onCap: 'block',
        freeWindows: [window(T, T + 3_600_000)],
      },
      periodStart: iso(T - 86_400_000),
      periodEnd: iso(T + 86_400_000),
      usedBytes: 1200,
      applied: 'blocked',
      quotaSpent: true,
    }
    expect(ruleFor('sub_a', book, false, T - 1)).toMatchObject({ state: 'blocked', remainingBytes: 0n })
    const inside = ruleFor('sub_a', book, false, T)
    expect(inside.state).toBe('open')
    expect(inside.remainingBytes).toBeUndefined()
    const partly: Book = { ...book, usedBytes: 400, quotaSpent: false }
    expect(ruleFor('sub_a', partly, false, T + 3_600_000)).toMatchObject({
      state: 'open',
      remainingBytes: 600n,
    })
    const throttling: Book = { ...book, limit: { ...book.limit, onCap: 'throttle', throttleKbps: 256 } }
    expect(desiredState(throttling, T + 10)).toBe('open')
    expect(desiredState(throttling, T + 3_600_000)).toBe('throttled')
  })
})
