import { describe, expect, it } from 'vitest'
import { projectRunOut, RECENT_RATE_STALE_MS } from './run-out.js'

const DAY = 86_400_000
const HOUR = 3_600_000
const period = { sinceMs: 0, periodEndMs: 30 * DAY }

describe('projectRunOut', () => {
  it('projects the pace so far forward', () => {
    // 4 GB in 10 days of a 10 GB limit: 0.4 GB a day, 6 GB left → 15 more days.
    expect(projectRunOut({ ...period, usedBytes: 4e9, limitBytes: 10e9, nowMs: 10 * DAY })).toEqual({
      kind: 'at',
      atMs: 25 * DAY,
      inMs: 15 * DAY,
      basis: 'period',
    })
  })

  it('says the limit holds to the period end when the pace does not reach it', () => {
    expect(projectRunOut({ ...period, usedBytes: 1e9, limitBytes: 10e9, nowMs: 10 * DAY }).kind).toBe(
      'not_this_period',
    )
  })

  it('counts the pace from when counting began, not from an earlier period start', () => {
    // Created on day 20 of the period; 2 GB in the 2 days since; 2 GB left → 2 more days.
    expect(
      projectRunOut({
        sinceMs: 20 * DAY,
        periodEndMs: 30 * DAY,
        usedBytes: 2e9,
        limitBytes: 4e9,
        nowMs: 22 * DAY,
      }),
    ).toEqual({ kind: 'at', atMs: 24 * DAY, inMs: 2 * DAY, basis: 'period' })
  })

  it('says reached at or over the limit, and guesses nothing without usage or time', () => {
    expect(projectRunOut({ ...period, usedBytes: 10e9, limitBytes: 10e9, nowMs: DAY }).kind).toBe('reached')
    expect(projectRunOut({ ...period, usedBytes: 0, limitBytes: 10e9, nowMs: DAY }).kind).toBe(
      'not_this_period',
    )
    expect(projectRunOut({ ...period, usedBytes: 5e8, limitBytes: 1e9, nowMs: 60_000 }).kind).toBe(
      'not_this_period',
    )
  })

  it('projects from the recent rate, decayed to now, over the period’s pace', () => {
    // 2 GB left at 1 MB/s read one half-life ago: 0.5 MB/s now → 4000 s.
    const recentRate = { bytesPerSecond: 1e6, atMs: 10 * DAY - HOUR }
    expect(
      projectRunOut({ ...period, usedBytes: 8e9, limitBytes: 10e9, nowMs: 10 * DAY, recentRate }),
    ).toEqual({
      kind: 'at',
      atMs: 10 * DAY + 4_000_000,
      inMs: 4_000_000,
      basis: 'recent',
    })
  })

  it('says the limit holds when the recent rate does not reach it, whatever the period’s pace', () => {
    // 8 GB in 10 days would run out on day 12.5; a quiet hour at 1 kB/s does not.
    const recentRate = { bytesPerSecond: 1e3, atMs: 10 * DAY }
    expect(
      projectRunOut({ ...period, usedBytes: 8e9, limitBytes: 10e9, nowMs: 10 * DAY, recentRate }).kind,
    ).toBe('not_this_period')
  })

  it('falls back to the period’s pace when the recent rate is stale', () => {
    const recentRate = { bytesPerSecond: 1e9, atMs: 10 * DAY - RECENT_RATE_STALE_MS - 1 }
    expect(
      projectRunOut({ ...period, usedBytes: 4e9, limitBytes: 10e9, nowMs: 10 * DAY, recentRate }),
    ).toEqual({
      kind: 'at',
      atMs: 25 * DAY,
      inMs: 15 * DAY,
      basis: 'period',
    })
  })

  it('says reached at the limit whatever the rate', () => {
    const recentRate = { bytesPerSecond: 1e6, atMs: DAY }
    expect(projectRunOut({ ...period, usedBytes: 10e9, limitBytes: 10e9, nowMs: DAY, recentRate }).kind).toBe(
      'reached',
    )
  })
})
