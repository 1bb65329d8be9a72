import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { FreeWindows, MAX_FREE_WINDOWS } from './counted-bytes.js'
import {
  computeFreeWindows,
  type DailyHours,
  freeWindowsIn,
  MAX_FREE_HOURS_PER_DAY,
  minutesOfDay,
  TooManyFreeWindows,
} from './free-windows.js'
import { localDateTime } from './zoned-time.js'

const utc = (iso: string) => Date.parse(iso)
const HOUR = 3_600_000
const MINUTE = 60_000
const iso = (ms: number) => new Date(ms).toISOString()

describe('freeWindowsIn', () => {
  it('gives one window a night across a London month, an hour shorter and longer at the DST changes', () => {
    // March 2026: clocks go forward at 01:00 UTC on the 29th.
    const period = { startMs: utc('2026-03-01T00:00:00Z'), endMs: utc('2026-04-01T00:00:00Z') - HOUR }
    const windows = freeWindowsIn(period, [{ from: '00:00', to: '06:00' }], 'Europe/London')
    expect(windows).toHaveLength(31)
    expect(windows[0]).toEqual({ startMs: utc('2026-03-01T00:00:00Z'), endMs: utc('2026-03-01T06:00:00Z') })
    const spring = windows.find((w) => iso(w.startMs).startsWith('2026-03-29'))!
    expect(spring.endMs - spring.startMs).toBe(5 * HOUR)
    expect(iso(windows[30]!.startMs)).toBe('2026-03-30T23:00:00.000Z') // 00:00 BST on the 31st
    // October 2026: clocks go back at 01:00 UTC on the 25th.
    const october = freeWindowsIn(
      { startMs: utc('2026-10-24T12:00:00Z'), endMs: utc('2026-10-26T12:00:00Z') },
      [{ from: '00:00', to: '06:00' }],
      'Europe/London',
    )
    expect(october.map((w) => [iso(w.startMs), iso(w.endMs)])).toEqual([
      ['2026-10-24T23:00:00.000Z', '2026-10-25T06:00:00.000Z'],
      ['2026-10-26T00:00:00.000Z', '2026-10-26T06:00:00.000Z'],
    ])
  })

  it('spans midnight and clips to the period', () => {
    const period = { startMs: utc('2026-06-10T00:30:00Z'), endMs: utc('2026-06-12T22:30:00Z') }
    const windows = freeWindowsIn(period, [{ from: '22:00', to: '02:00' }], 'UTC')
    expect(windows.map((w) => [iso(w.startMs), iso(w.endMs)])).toEqual([
      ['2026-06-10T00:30:00.000Z', '2026-06-10T02:00:00.000Z'],
      ['2026-06-10T22:00:00.000Z', '2026-06-11T02:00:00.000Z'],
      ['2026-06-11T22:00:00.000Z', '2026-06-12T02:00:00.000Z'],
      ['2026-06-12T22:00:00.000Z', '2026-06-12T22:30:00.000Z'],
    ])
  })

  it('merges overlapping and touching windows', () => {
    const period = { startMs: utc('2026-06-10T00:00:00Z'), endMs: utc('2026-06-11T00:00:00Z') }
    const hours = [
      { from: '01:00', to: '03:00' },
      { from: '02:00', to: '04:00' },
      { from: '04:00', to: '05:00' },
      { from: '23:00', to: '00:30' },
    ]
    expect(freeWindowsIn(period, hours, 'UTC').map((w) => [iso(w.startMs), iso(w.endMs)])).toEqual([
      ['2026-06-10T00:00:00.000Z', '2026-06-10T00:30:00.000Z'],
      ['2026-06-10T01:00:00.000Z', '2026-06-10T05:00:00.000Z'],
      ['2026-06-10T23:00:00.000Z', '2026-06-11T00:00:00.000Z'],
    ])
  })

  it('says so when a period needs more windows than a limit carries, instead of dropping some', () => {
    const month = { startMs: utc('2026-01-01T00:00:00Z'), endMs: utc('2026-02-01T00:00:00Z') }
    const three = ['01', '05', '09'].map((h) => ({ from: `${h}:00`, to: `${h}:30` }))
    expect(freeWindowsIn(month, three, 'Europe/London')).toHaveLength(93)
    const four = [...three, { from: '13:00', to: '13:30' }]
    expect(() => freeWindowsIn(month, four, 'Europe/London')).toThrow(TooManyFreeWindows)
    expect(() => freeWindowsIn(month, four, 'Europe/London')).toThrow(/124 windows.*100/)
  })

  it('refuses malformed or empty hours', () => {
    const day = { startMs: utc('2026-06-10T00:00:00Z'), endMs: utc('2026-06-11T00:00:00Z') }
    for (const bad of ['24:00', '7:00', '07:60', '0700', ''])
      expect(() => freeWindowsIn(day, [{ from: bad, to: '08:00' }], 'UTC')).toThrow(RangeError)
    expect(() => freeWindowsIn(day, [{ from: '08:00', to: '08:00' }], 'UTC')).toThrow(/same time/)
    expect(freeWindowsIn(day, [], 'UTC')).toEqual([])
    expect(freeWindowsIn(day, undefined, 'UTC')).toEqual([])
  })

  // The reference walks the period minute by minute reading the zone's clock: a day's window opens
  // the first minute that clock reads `from` or later on that day (or any later wall time), and
  // closes the first minute it reads `to` or later (on the next day for a window across midnight).
  it('matches a minute-by-minute reading of the wall clock across DST changes (randomized)', () => {
    const zones: Array<[string, string[]]> = [
      ['Europe/London', ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2025-03-30T01:00:00Z']],
      // Brazil moved its clocks at local midnight until 2019: windows at midnight meet the gap.
      ['America/Sao_Paulo', ['2018-11-04T03:00:00Z', '2018-02-18T02:00:00Z', '2017-10-15T03:00:00Z']],
    ]
    const random = seededRandom(0xf4ee)
    const hhmm = (m: number) =>
      `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
    for (let round = 0; round < 40; round++) {
      const [zone, changes] = zones[round % zones.length]!
      const change = utc(changes[random.int(0, changes.length - 1)]!)
      const startMs = change - random.int(0, 48 * 60) * MINUTE
      const endMs = change + random.int(1, 48 * 60) * MINUTE
      const hours: DailyHours[] = []
      for (let n = random.int(1, 3); n > 0; n--) {
        // Half on the hour (where DST changes happen), half anywhere.
        const pick = () => (random.next() < 0.5 ? random.int(0, 23) * 60 : random.int(0, 24 * 60 - 1))
        const from = pick()
        let to = pick()
        if (to === from) to = (from + 30) % (24 * 60)
        hours.push({ from: hhmm(from), to: hhmm(to) })
      }
      const seen = `round ${round}: ${zone} ${iso(startMs)}–${iso(endMs)} ${JSON.stringify(hours)}`
      const windows = freeWindowsIn({ startMs, endMs }, hours, zone)
      expect(
        FreeWindows.safeParse(windows.map((w) => ({ start: iso(w.startMs), end: iso(w.endMs) }))).success,
        seen,
      ).toBe(true)
      for (let i = 0; i < windows.length; i++) {
        const w = windows[i]!
        expect(w.startMs, seen).toBeGreaterThanOrEqual(startMs)
        expect(w.endMs, seen).toBeLessThanOrEqual(endMs)
        if (i > 0) expect(w.startMs, `${seen}: merged`).toBeGreaterThan(windows[i - 1]!.endMs)
      }
      const expected = referenceFreeMinutes(startMs, endMs, hours, zone)
      const actual = (t: number) => windows.some((w) => w.startMs <= t && t < w.endMs)
      for (let t = startMs; t < endMs; t += MINUTE) {
        if (actual(t) !== expected.has(t)) {
          throw new Error(`${seen}: minute ${iso(t)} free ${actual(t)}, reference ${expected.has(t)}`)
        }
      }
    }
  })

  it('keeps the wire limit on windows', () => {
    expect(MAX_FREE_WINDOWS).toBe(100)
    expect(minutesOfDay('23:59')).toBe(24 * 60 - 1)
  })
})

/** Minutes (their start instants) in [startMs, endMs) that are free by the wall-clock reading. */
function referenceFreeMinutes(
  startMs: number,
  endMs: number,
  hours: readonly DailyHours[],
  zone: string,
): Set<number> {
  const wall = (t: number) => {
    const l = localDateTime(t, zone)
    return Date.UTC(l.year, l.month - 1, l.day) / MINUTE + l.hour * 60 + l.minute
  }
  // Targets (wall minutes) of each window on each local day near the period.
  const targets: Array<{ open: number; close: number; opened?: number; closed?: number }> = []
  const firstDay = Math.floor(wall(startMs - 2 * 24 * HOUR) / (24 * 60))
  const lastDay = Math.floor(wall(endMs) / (24 * 60))
  for (let day = firstDay; day <= lastDay; day++) {
    for (const h of hours) {
      const from = minutesOfDay(h.from)
      const to = minutesOfDay(h.to)
      targets.push({ open: day * 24 * 60 + from, close: day * 24 * 60 + (to > from ? to : to + 24 * 60) })
    }
  }
  const free = new Set<number>()
  // Walk from two days early so windows already open at the period's start are known.
  for (let t = startMs - 2 * 24 * HOUR; t < endMs; t += MINUTE) {
    const w = wall(t)
    for (const target of targets) {
      if (target.opened === undefined && w >= target.open) target.opened = t
      if (target.closed === undefined && w >= target.close) target.closed = t
    }
    if (t >= startMs && targets.some((x) => x.opened !== undefined && x.closed === undefined)) free.add(t)
  }
  return free
}

describe('MAX_FREE_HOURS_PER_DAY', () => {
  it('fits the longest period in one limit, across midnight too', () => {
    const month = { startMs: utc('2026-01-01T00:00:00Z'), endMs: utc('2026-02-01T00:00:00Z') }
    const hours = [
      { from: '07:00', to: '08:00' },
      { from: '15:00', to: '16:00' },
      { from: '23:00', to: '00:30' },
    ]
    expect(hours).toHaveLength(MAX_FREE_HOURS_PER_DAY)
    // The first window is the tail of the one from the night before the period.
    expect(freeWindowsIn(month, hours, 'UTC')).toHaveLength(3 * 31 + 1)
  })
})

describe('freeWindowsIn memo', () => {
  it('answers as the computation does, and a caller changing its answer changes no later one', () => {
    const random = seededRandom(0x3e30)
    for (let i = 0; i < 300; i++) {
      const startMs = utc('2026-01-01T00:00:00Z') + random.int(0, 40) * 86_400_000
      const period = { startMs, endMs: startMs + random.int(1, 3) * 86_400_000 }
      const hours = [{ from: `0${random.int(0, 3)}:00`, to: `0${random.int(4, 6)}:30` }]
      const zone = random.next() < 0.5 ? 'Europe/London' : 'America/Sao_Paulo'
      const got = freeWindowsIn(period, hours, zone)
      expect(got).toEqual(computeFreeWindows(period, hours, zone))
      for (const w of got) w.endMs = 0
    }
  })
})
