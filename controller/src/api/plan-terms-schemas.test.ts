/** Free hours' overlap rule against a minute-by-minute reference, for random windows (spanning midnight or not). */
import { freeWindowsIn } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { FreeHoursInput } from './plan-terms-schemas.js'

const DAY = 24 * 60
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

/** The minutes of the day a window covers, walked one by one from `from` up to (not including) `to`. */
function minutes(w: { from: number; to: number }): Set<number> {
  const covered = new Set<number>()
  for (let m = w.from; m !== w.to; m = (m + 1) % DAY) covered.add(m)
  return covered
}

describe('free hours', () => {
  it('are refused exactly when two windows share a minute, or a window starts where it ends', () => {
    let seed = 7
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    // Coarse times make overlaps, touching ends and midnight common.
    const time = () => rand(4) * 360 + rand(3) * 30
    for (let i = 0; i < 2000; i++) {
      const windows = Array.from({ length: 1 + rand(3) }, () => ({ from: time(), to: time() }))
      const empty = windows.some((w) => w.from === w.to)
      const sets = windows.map(minutes)
      const shared = sets.some((a, x) => sets.some((b, y) => x < y && [...a].some((m) => b.has(m))))
      const parsed = FreeHoursInput.safeParse(windows.map((w) => ({ from: hhmm(w.from), to: hhmm(w.to) })))
      expect(parsed.success, JSON.stringify(windows.map((w) => [hhmm(w.from), hhmm(w.to)]))).toBe(
        !empty && !shared,
      )
    }
  })

  it.each(['24:00', '7:00', '07:60', '0700', ''])('refuses the time %j', (time) => {
    expect(FreeHoursInput.safeParse([{ from: time, to: '08:00' }]).success).toBe(false)
  })
  // 300 cases × 9 periods of 31 days: ~2 s alone, past vitest's 5 s default on a loaded machine.
  it('that the schema takes always fit one limit: any 31-day period, across a DST change, in any zone', {
    timeout: 30_000,
  }, () => {
    let seed = 11
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    // 31-day periods around the changes of a zone with DST, one with a half-hour DST and one without.
    const zones = ['Europe/London', 'Australia/Lord_Howe', 'UTC']
    const starts = ['2026-03-01T00:00:00Z', '2026-10-01T00:00:00Z', '2026-03-25T13:00:00Z']
    let accepted = 0
    for (let i = 0; i < 300; i++) {
      const windows = Array.from({ length: 1 + rand(3) }, () => ({
        from: hhmm(rand(DAY)),
        to: hhmm(rand(DAY)),
      }))
      if (!FreeHoursInput.safeParse(windows).success) continue
      accepted++
      for (const timeZone of zones)
        for (const start of starts) {
          const startMs = Date.parse(start)
          const period = { startMs, endMs: startMs + 31 * DAY * 60_000 }
          expect(() => freeWindowsIn(period, windows, timeZone), JSON.stringify(windows)).not.toThrow()
        }
    }
    expect(accepted).toBeGreaterThan(50)
  })
})
