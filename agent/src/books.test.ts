import type { SubscriberLimit } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { desiredState, rollPeriod, ruleFor, takeLimit } from './books.js'

const limit = (over: Partial<SubscriberLimit> = {}): SubscriberLimit => ({
  subscriberId: 'sub_a',
  address: '10.0.0.5',
  periodStart: '2026-03-01T00:00:00.000Z',
  periodEnd: '2026-04-01T00:00:00.000Z',
  limitBytes: 1000,
  usedBytes: 100,
  limitVersion: 3,
  onCap: 'block',
  ...over,
})

describe('books', () => {
  it('ignores a stale limit version and takes a newer one', () => {
    const book = takeLimit(undefined, limit())!
    expect(takeLimit(book, limit({ limitVersion: 2, limitBytes: 5 }))).toBeUndefined()
    expect(takeLimit(book, limit({ limitVersion: 4, limitBytes: 2000 }))?.limit.limitBytes).toBe(2000)
  })

  it('keeps the larger usage within a period and the controller usage in a new one', () => {
    const book = { ...takeLimit(undefined, limit())!, usedBytes: 600 }
    expect(takeLimit(book, limit({ limitVersion: 4, usedBytes: 500 }))?.usedBytes).toBe(600)
    expect(takeLimit(book, limit({ limitVersion: 4, usedBytes: 700 }))?.usedBytes).toBe(700)
    const next = takeLimit(
      book,
      limit({
        limitVersion: 5,
        usedBytes: 0,
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
      }),
    )
    expect(next).toMatchObject({ usedBytes: 0, periodStart: '2026-04-01T00:00:00.000Z' })
  })

  it('moves to the next period on its own at period end, keeping the limit', () => {
    const book = { ...takeLimit(undefined, limit())!, usedBytes: 1000 }
    expect(rollPeriod(book, Date.parse('2026-03-31T23:59:59.999Z'))).toBe(book)
    const rolled = rollPeriod(book, Date.parse('2026-04-01T00:00:00.000Z'))
    expect(rolled).toMatchObject({
      usedBytes: 0,
      periodStart: '2026-04-01T00:00:00.000Z',
      limit: { limitBytes: 1000 },
    })
    expect(desiredState(rolled)).toBe('open')
  })

  it('counts a spent router quota as the cap until the limit grows', () => {
    const spent = { ...takeLimit(undefined, limit())!, usedBytes: 990, quotaSpent: true }
    expect(desiredState(spent)).toBe('blocked')
    expect(desiredState(takeLimit(spent, limit({ limitVersion: 4 }))!)).toBe('blocked')
    expect(desiredState(takeLimit(spent, limit({ limitVersion: 4, limitBytes: 2000 }))!)).toBe('open')
    expect(desiredState(rollPeriod(spent, Date.parse('2026-04-01T00:00:00.000Z')))).toBe('open')
  })

  it('blocks or throttles at the cap, never in observe mode', () => {
    const full = { ...takeLimit(undefined, limit())!, usedBytes: 1000 }
    expect(ruleFor('sub_a', full, false)).toEqual({
      subscriberId: 'sub_a',
      address: '10.0.0.5',
      state: 'blocked',
      remainingBytes: 0n,
    })
    expect(ruleFor('sub_a', full, true).state).toBe('open')
    const throttled = {
      ...takeLimit(undefined, limit({ onCap: 'throttle', throttleKbps: 512 }))!,
      usedBytes: 1000,
    }
    expect(ruleFor('sub_a', throttled, false)).toMatchObject({ state: 'throttled', throttleKbps: 512 })
    expect(ruleFor('sub_a', { ...full, usedBytes: 999 }, false)).toMatchObject({
      state: 'open',
      remainingBytes: 1n,
    })
  })

  it('passes the upload throttle and a one-way direction to the router', () => {
    const throttled = {
      ...takeLimit(undefined, limit({ onCap: 'throttle', throttleKbps: 2000, throttleUpKbps: 500 }))!,
      usedBytes: 1000,
    }
    expect(ruleFor('sub_a', throttled, false)).toEqual({
      subscriberId: 'sub_a',
      address: '10.0.0.5',
      state: 'throttled',
      throttleKbps: 2000,
      throttleUpKbps: 500,
    })
    for (const count of ['down', 'up'] as const) {
      const book = { ...takeLimit(undefined, limit({ count }))!, usedBytes: 400 }
      expect(ruleFor('sub_a', book, false)).toMatchObject({ state: 'open', remainingBytes: 600n, count })
    }
    // Both ways is the default and says nothing; a throttling plan has no quota to direct.
    expect(ruleFor('sub_a', takeLimit(undefined, limit({ count: 'both' }))!, false)).not.toHaveProperty(
      'count',
    )
    const throttling = takeLimit(undefined, limit({ onCap: 'throttle', throttleKbps: 1, count: 'down' }))!
    expect(ruleFor('sub_a', throttling, false)).not.toHaveProperty('count')
  })
})
