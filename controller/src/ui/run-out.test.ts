import { describe, expect, it } from 'vitest'
import { projectRunOut } from './run-out.js'

const DAY = 86_400_000
const period = { sinceMs: 0, periodEndMs: 30 * DAY }

describe('projectRunOut', () => {
  it('projects the pace so far forward', () => {
    // 4 GB in 10 days of a 10 GB limit: 0.4 GB a day, 6 GB left → 15 more days.
    expect(projectRunOut({ ...period, usedBytes: 4e9, limitBytes: 10e9, nowMs: 10 * DAY })).toEqual({
      kind: 'at',
      atMs: 25 * DAY,
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
    ).toEqual({ kind: 'at', atMs: 24 * DAY })
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
})
