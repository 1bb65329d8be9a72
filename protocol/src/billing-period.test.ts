import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import {
  type BillingDay,
  BillingDay as BillingDaySchema,
  billingPeriod,
  periodStartInMonth,
} from './billing-period.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const utc = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

/** The period as ISO strings, which read better in failures than millisecond numbers. */
function period(at: string | number, billingDay: BillingDay, tz: string) {
  const p = billingPeriod(typeof at === 'string' ? utc(at) : at, billingDay, tz)
  return { start: iso(p.startMs), end: iso(p.endMs) }
}

describe('BillingDay', () => {
  it('accepts 1–31 and "last" only', () => {
    expect(BillingDaySchema.parse(1)).toBe(1)
    expect(BillingDaySchema.parse('last')).toBe('last')
    for (const bad of [0, 32, 1.5, 'first', '15']) {
      expect(BillingDaySchema.safeParse(bad).error?.issues[0]?.message).toBe(
        'billing day must be an integer from 1 to 31 or "last"',
      )
    }
  })
})

describe('billingPeriod in UTC', () => {
  it('billing day 31 clamps to Feb 28 in a non-leap year', () => {
    expect(period('2026-02-10T12:00:00Z', 31, 'UTC')).toEqual({
      start: '2026-01-31T00:00:00.000Z',
      end: '2026-02-28T00:00:00.000Z',
    })
    expect(period('2026-02-28T00:00:00Z', 31, 'UTC')).toEqual({
      start: '2026-02-28T00:00:00.000Z',
      end: '2026-03-31T00:00:00.000Z',
    })
  })

  it('billing day 31 clamps to Feb 29 in a leap year', () => {
    expect(period('2028-02-28T23:59:59.999Z', 31, 'UTC')).toEqual({
      start: '2028-01-31T00:00:00.000Z',
      end: '2028-02-29T00:00:00.000Z',
    })
    expect(period('2028-03-01T00:00:00Z', 31, 'UTC')).toEqual({
      start: '2028-02-29T00:00:00.000Z',
      end: '2028-03-31T00:00:00.000Z',
    })
  })

  it('billing day 30 clamps in February but not in March', () => {
    expect(period('2026-03-15T00:00:00Z', 30, 'UTC')).toEqual({
      start: '2026-02-28T00:00:00.000Z',
      end: '2026-03-30T00:00:00.000Z',
    })
  })

  it.each([
    ['2026-04-10T00:00:00Z', '2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z'],
    ['2026-04-30T00:00:00Z', '2026-04-30T00:00:00.000Z', '2026-05-31T00:00:00.000Z'],
    ['2026-02-10T00:00:00Z', '2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    ['2026-03-05T00:00:00Z', '2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z'],
    ['2028-02-10T00:00:00Z', '2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['2028-03-05T00:00:00Z', '2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z'],
  ])('"last" at %s is [%s, %s)', (at, start, end) => {
    expect(period(at, 'last', 'UTC')).toEqual({ start, end })
    expect(period(at, 31, 'UTC')).toEqual({ start, end })
  })

  it('billing day 15: the start instant is inside, the end instant is not', () => {
    const boundary = utc('2026-03-15T00:00:00Z')
    expect(period(boundary, 15, 'UTC')).toEqual({
      start: '2026-03-15T00:00:00.000Z',
      end: '2026-04-15T00:00:00.000Z',
    })
    expect(period(boundary - 1, 15, 'UTC')).toEqual({
      start: '2026-02-15T00:00:00.000Z',
      end: '2026-03-15T00:00:00.000Z',
    })
  })

  it('rolls over the year', () => {
    const expected = { start: '2025-12-15T00:00:00.000Z', end: '2026-01-15T00:00:00.000Z' }
    expect(period('2026-01-05T00:00:00Z', 15, 'UTC')).toEqual(expected)
    expect(period('2025-12-20T00:00:00Z', 15, 'UTC')).toEqual(expected)
    expect(period('2026-12-31T23:59:59.999Z', 1, 'UTC')).toEqual({
      start: '2026-12-01T00:00:00.000Z',
      end: '2027-01-01T00:00:00.000Z',
    })
  })
})

describe('billingPeriod across DST', () => {
  it('Europe/Berlin: the March period is one hour short of 31 days', () => {
    const p = billingPeriod(utc('2026-03-15T12:00:00Z'), 1, 'Europe/Berlin')
    expect(iso(p.startMs)).toBe('2026-02-28T23:00:00.000Z')
    expect(iso(p.endMs)).toBe('2026-03-31T22:00:00.000Z')
    expect(p.endMs - p.startMs).toBe(31 * DAY - HOUR)
  })

  it('Europe/Berlin: the October period is one hour over 31 days', () => {
    const p = billingPeriod(utc('2026-10-15T12:00:00Z'), 1, 'Europe/Berlin')
    expect(iso(p.startMs)).toBe('2026-09-30T22:00:00.000Z')
    expect(iso(p.endMs)).toBe('2026-10-31T23:00:00.000Z')
    expect(p.endMs - p.startMs).toBe(31 * DAY + HOUR)
  })

  it('Europe/Berlin: the boundary is local midnight, not UTC midnight', () => {
    const boundary = utc('2026-02-28T23:00:00Z')
    expect(period(boundary, 1, 'Europe/Berlin').start).toBe('2026-02-28T23:00:00.000Z')
    expect(period(boundary - 1, 1, 'Europe/Berlin')).toEqual({
      start: '2026-01-31T23:00:00.000Z',
      end: '2026-02-28T23:00:00.000Z',
    })
  })

  it('America/New_York: spring forward and a boundary on the fall-back day', () => {
    const march = billingPeriod(utc('2026-03-20T00:00:00Z'), 1, 'America/New_York')
    expect(iso(march.startMs)).toBe('2026-03-01T05:00:00.000Z')
    expect(iso(march.endMs)).toBe('2026-04-01T04:00:00.000Z')
    expect(march.endMs - march.startMs).toBe(31 * DAY - HOUR)
    // DST ends 2026-11-01 at 02:00, after that day's midnight (still EDT).
    const november = billingPeriod(utc('2026-11-15T00:00:00Z'), 1, 'America/New_York')
    expect(iso(november.startMs)).toBe('2026-11-01T04:00:00.000Z')
    expect(iso(november.endMs)).toBe('2026-12-01T05:00:00.000Z')
    expect(november.endMs - november.startMs).toBe(30 * DAY + HOUR)
  })

  it('America/Santiago: a period starting on a day without midnight starts at 01:00 local', () => {
    expect(period('2026-09-20T00:00:00Z', 6, 'America/Santiago')).toEqual({
      start: '2026-09-06T04:00:00.000Z',
      end: '2026-10-06T03:00:00.000Z',
    })
    // 00:30 local on 2026-09-06 never happens; the instant just before the jump is still in August's period.
    expect(period('2026-09-06T03:59:59.999Z', 6, 'America/Santiago').end).toBe('2026-09-06T04:00:00.000Z')
  })

  it('America/Havana: midnight skipped in March, repeated in November', () => {
    expect(period('2026-03-20T00:00:00Z', 8, 'America/Havana').start).toBe('2026-03-08T05:00:00.000Z')
    const november = period('2026-11-01T04:30:00Z', 1, 'America/Havana')
    expect(november.start).toBe('2026-11-01T04:00:00.000Z')
    // The repeated hour 00:00–01:00 (second time, CST) belongs to the period that began at the first midnight.
    expect(period('2026-11-01T05:30:00Z', 1, 'America/Havana')).toEqual(november)
  })

  it('Asia/Kolkata (+05:30)', () => {
    expect(period('2026-01-10T00:00:00Z', 1, 'Asia/Kolkata')).toEqual({
      start: '2025-12-31T18:30:00.000Z',
      end: '2026-01-31T18:30:00.000Z',
    })
    // 2026-01-31T18:29:59.999Z is still Jan 31 in India.
    expect(period('2026-01-31T18:30:00Z', 1, 'Asia/Kolkata').start).toBe('2026-01-31T18:30:00.000Z')
  })

  it('Pacific/Auckland: southern-hemisphere DST ends in April and starts in September', () => {
    const april = billingPeriod(utc('2026-04-15T00:00:00Z'), 1, 'Pacific/Auckland')
    expect(iso(april.startMs)).toBe('2026-03-31T11:00:00.000Z')
    expect(iso(april.endMs)).toBe('2026-04-30T12:00:00.000Z')
    expect(april.endMs - april.startMs).toBe(30 * DAY + HOUR)
    const september = billingPeriod(utc('2026-09-15T00:00:00Z'), 1, 'Pacific/Auckland')
    expect(iso(september.startMs)).toBe('2026-08-31T12:00:00.000Z')
    expect(iso(september.endMs)).toBe('2026-09-30T11:00:00.000Z')
    expect(september.endMs - september.startMs).toBe(30 * DAY - HOUR)
  })

  it('Pacific/Auckland: year roll-over happens in local time, on UTC Dec 31', () => {
    expect(period('2025-12-31T12:00:00Z', 1, 'Pacific/Auckland')).toEqual({
      start: '2025-12-31T11:00:00.000Z',
      end: '2026-01-31T11:00:00.000Z',
    })
  })
})

describe('billingPeriod input validation', () => {
  it('rejects unknown zones, bad billing days and bad instants with RangeErrors', () => {
    const at = utc('2026-01-01T00:00:00Z')
    expect(() => billingPeriod(at, 1, 'Mars/Olympus_Mons')).toThrow(
      new RangeError('unknown time zone: Mars/Olympus_Mons'),
    )
    expect(() => billingPeriod(at, 0 as BillingDay, 'UTC')).toThrow(/billing day must be .*got 0/)
    expect(() => billingPeriod(at, 32 as BillingDay, 'UTC')).toThrow(RangeError)
    expect(() => billingPeriod(at, 'first' as BillingDay, 'UTC')).toThrow(/got "first"/)
    expect(() => billingPeriod(Number.NaN, 1, 'UTC')).toThrow(/atMs must be an integer/)
    expect(() => billingPeriod(at + 0.5, 1, 'UTC')).toThrow(/atMs must be an integer/)
    expect(() => billingPeriod(-1, 1, 'UTC')).toThrow(RangeError)
  })

  it('works right at the start of 1970 in a zone ahead of UTC', () => {
    expect(period(0, 15, 'Asia/Kolkata')).toEqual({
      start: '1969-12-14T18:30:00.000Z',
      end: '1970-01-14T18:30:00.000Z',
    })
  })
})

describe('periodStartInMonth', () => {
  it('gives the clamped billing day at local midnight', () => {
    expect(iso(periodStartInMonth(2026, 2, 31, 'Europe/Berlin'))).toBe('2026-02-27T23:00:00.000Z')
    expect(iso(periodStartInMonth(2026, 6, 'last', 'Europe/Berlin'))).toBe('2026-06-29T22:00:00.000Z')
  })
})

const prng = (seed: number) => seededRandom(seed).next

/** Local calendar date via a formatter of the test's own, independent of the implementation's. */
function localDate(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms)
}

describe('billingPeriod properties', () => {
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'America/Santiago',
    'America/Havana',
    'Asia/Kolkata',
    'Pacific/Auckland',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
  ]
  const days: BillingDay[] = [1, 5, 15, 28, 29, 30, 31, 'last']
  const random = prng(0xcab5)
  const from = utc('2000-01-01T00:00:00Z')
  const to = utc('2040-01-01T00:00:00Z')
  const samples = Array.from({ length: 400 }, (_, i) => ({
    atMs: from + Math.floor(random() * (to - from)),
    tz: zones[i % zones.length]!,
    billingDay: days[Math.floor(random() * days.length)]!,
  }))

  it('contains the instant, tiles time with its neighbours, and starts on the local billing day', () => {
    for (const { atMs, tz, billingDay } of samples) {
      const context = `${iso(atMs)} ${tz} day ${billingDay}`
      const p = billingPeriod(atMs, billingDay, tz)
      expect(p.startMs, context).toBeLessThanOrEqual(atMs)
      expect(p.endMs, context).toBeGreaterThan(atMs)
      // Between 28 and 31 days, give or take a DST shift (at most an hour here).
      expect(p.endMs - p.startMs, context).toBeGreaterThanOrEqual(28 * DAY - HOUR)
      expect(p.endMs - p.startMs, context).toBeLessThanOrEqual(31 * DAY + HOUR)

      const next = billingPeriod(p.endMs, billingDay, tz)
      expect(next.startMs, context).toBe(p.endMs)
      const previous = billingPeriod(p.startMs - 1, billingDay, tz)
      expect(previous.endMs, context).toBe(p.startMs)
      expect(billingPeriod(p.startMs, billingDay, tz), context).toEqual(p)
      expect(billingPeriod(p.endMs - 1, billingDay, tz), context).toEqual(p)

      // The start is the first instant of its local day, and that day is the clamped billing day.
      const [y, m, d] = localDate(p.startMs, tz).split('-').map(Number) as [number, number, number]
      const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate()
      expect(d, context).toBe(billingDay === 'last' ? lastDay : Math.min(billingDay, lastDay))
      expect(localDate(p.startMs - 1, tz) < localDate(p.startMs, tz), context).toBe(true)
    }
  })

  it('starts exactly at local 00:00:00.000 in zones without DST', () => {
    for (const { atMs, billingDay } of samples.slice(0, 50)) {
      for (const [tz, offset] of [
        ['UTC', 0],
        ['Asia/Kolkata', 5.5 * HOUR],
      ] as const) {
        const p = billingPeriod(atMs, billingDay, tz)
        expect((p.startMs + offset) % DAY).toBe(0)
        expect((p.endMs + offset) % DAY).toBe(0)
      }
    }
  })
})
