import { describe, expect, it } from 'vitest'
import {
  assertTimeZone,
  daysInMonth,
  isValidTimeZone,
  localDateTime,
  startOfLocalDay,
  TimeZone,
} from './zoned-time.js'

const utc = (iso: string) => Date.parse(iso)

describe('time zone validation', () => {
  it('accepts IANA names and UTC', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+5']) {
      expect(isValidTimeZone(tz)).toBe(true)
    }
  })

  it('rejects unknown names, empty strings and non-strings', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(isValidTimeZone('')).toBe(false)
    // Intl would silently use the host zone for `undefined`.
    expect(isValidTimeZone(undefined as unknown as string)).toBe(false)
  })

  it('throws a RangeError naming the zone', () => {
    expect(() => assertTimeZone('Mars/Olympus_Mons')).toThrow(
      new RangeError('unknown time zone: Mars/Olympus_Mons'),
    )
    expect(TimeZone.safeParse('Nowhere/Town').error?.issues[0]?.message).toBe(
      'unknown time zone: Nowhere/Town',
    )
    expect(TimeZone.parse('Europe/Berlin')).toBe('Europe/Berlin')
  })
})

describe('localDateTime', () => {
  it('reads the wall clock in the zone', () => {
    expect(localDateTime(utc('2026-03-31T22:00:00Z'), 'Europe/Berlin')).toEqual({
      year: 2026,
      month: 4,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
    })
    expect(localDateTime(utc('2026-01-01T00:00:59.999Z'), 'Asia/Kolkata')).toEqual({
      year: 2026,
      month: 1,
      day: 1,
      hour: 5,
      minute: 30,
      second: 59,
    })
  })
})

describe('daysInMonth', () => {
  it('knows month lengths and leap years', () => {
    expect([1, 2, 4, 12].map((m) => daysInMonth(2026, m))).toEqual([31, 28, 30, 31])
    expect(daysInMonth(2028, 2)).toBe(29)
    expect(daysInMonth(2100, 2)).toBe(28)
    expect(daysInMonth(2000, 2)).toBe(29)
  })
})

describe('startOfLocalDay', () => {
  it.each([
    ['UTC', 2026, 3, 1, '2026-03-01T00:00:00.000Z'],
    ['Europe/Berlin', 2026, 1, 15, '2026-01-14T23:00:00.000Z'],
    ['Europe/Berlin', 2026, 7, 15, '2026-07-14T22:00:00.000Z'],
    // DST days whose transition is at 02:00/03:00: midnight itself is unaffected.
    ['Europe/Berlin', 2026, 3, 29, '2026-03-28T23:00:00.000Z'],
    ['Europe/Berlin', 2026, 10, 25, '2026-10-24T22:00:00.000Z'],
    ['America/New_York', 2026, 11, 1, '2026-11-01T04:00:00.000Z'],
    ['Asia/Kolkata', 2026, 1, 1, '2025-12-31T18:30:00.000Z'],
    ['Pacific/Auckland', 2026, 4, 5, '2026-04-04T11:00:00.000Z'],
  ])('%s %d-%d-%d starts at %s', (tz, y, m, d, iso) => {
    expect(new Date(startOfLocalDay(y, m, d, tz)).toISOString()).toBe(iso)
  })

  it('starts at 01:00 when DST skips midnight (America/Santiago, America/Havana)', () => {
    // Chile: 2026-09-06 00:00 -04 becomes 01:00 -03. Cuba: 2026-03-08 00:00 -05 becomes 01:00 -04.
    const santiago = startOfLocalDay(2026, 9, 6, 'America/Santiago')
    expect(new Date(santiago).toISOString()).toBe('2026-09-06T04:00:00.000Z')
    expect(localDateTime(santiago, 'America/Santiago')).toMatchObject({ day: 6, hour: 1, minute: 0 })
    expect(localDateTime(santiago - 1, 'America/Santiago')).toMatchObject({ day: 5, hour: 23, minute: 59 })

    const havana = startOfLocalDay(2026, 3, 8, 'America/Havana')
    expect(new Date(havana).toISOString()).toBe('2026-03-08T05:00:00.000Z')
    expect(localDateTime(havana, 'America/Havana')).toMatchObject({ day: 8, hour: 1 })
  })

  it('uses the earlier instant when midnight happens twice (Havana falls back from 01:00 to 00:00)', () => {
    expect(new Date(startOfLocalDay(2026, 11, 1, 'America/Havana')).toISOString()).toBe(
      '2026-11-01T04:00:00.000Z',
    )
  })

  it('handles a fall-back across midnight (Santiago: Sunday 00:00 -03 becomes Saturday 23:00 -04)', () => {
    expect(new Date(startOfLocalDay(2026, 4, 4, 'America/Santiago')).toISOString()).toBe(
      '2026-04-04T03:00:00.000Z',
    )
    // The instant that would have been Sunday 00:00 -03 shows Saturday 23:00, so Sunday starts an hour later.
    expect(new Date(startOfLocalDay(2026, 4, 5, 'America/Santiago')).toISOString()).toBe(
      '2026-04-05T04:00:00.000Z',
    )
  })

  it('handles a whole skipped day (Samoa skipped 2011-12-30)', () => {
    const start30 = startOfLocalDay(2011, 12, 30, 'Pacific/Apia')
    expect(start30).toBe(startOfLocalDay(2011, 12, 31, 'Pacific/Apia'))
    expect(new Date(start30).toISOString()).toBe('2011-12-30T10:00:00.000Z')
  })

  it('validates its arguments', () => {
    expect(() => startOfLocalDay(2026, 2, 29, 'UTC')).toThrow(/day must be an integer from 1 to 28/)
    expect(() => startOfLocalDay(2026, 13, 1, 'UTC')).toThrow(/month must be an integer from 1 to 12/)
    expect(() => startOfLocalDay(1800, 1, 1, 'UTC')).toThrow(/year/)
    expect(() => startOfLocalDay(2026, 1, 1, 'Bad/Zone')).toThrow('unknown time zone: Bad/Zone')
  })
})

describe('startOfLocalDay, every day of 2025–2026', () => {
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
  const formatters = new Map<string, Intl.DateTimeFormat>()
  // A formatter of the test's own, so the check does not lean on the implementation's parsing.
  const dateIn = (ms: number, tz: string) => {
    let formatter = formatters.get(tz)
    if (!formatter) {
      formatter = new Intl.DateTimeFormat('en-CA', {
        timeZone: tz,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      })
      formatters.set(tz, formatter)
    }
    return formatter.format(ms)
  }

  it.each(zones)('%s: the result is on that local day and the instant before it is not', (tz) => {
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 86_400_000) {
      const d = new Date(ms)
      const wanted = d.toISOString().slice(0, 10)
      const start = startOfLocalDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), tz)
      expect(dateIn(start, tz), `${tz} ${wanted}`).toBe(wanted)
      expect(dateIn(start - 1, tz) < wanted, `${tz} ${wanted}`).toBe(true)
    }
  })
})
