import { describe, expect, it } from 'vitest'
import { aboutDuration, runOutWhen } from './run-out-text.js'

const MIN = 60_000

describe('aboutDuration', () => {
  it('rounds to the unit that matters', () => {
    expect(aboutDuration(10_000)).toBe('about a minute')
    expect(aboutDuration(7 * MIN + 10_000)).toBe('about 7 minutes')
    expect(aboutDuration(41 * MIN)).toBe('about 40 minutes')
    expect(aboutDuration(58 * MIN)).toBe('about 1 hour')
    expect(aboutDuration(83 * MIN)).toBe('about 1 hour 20 minutes')
    expect(aboutDuration(118 * MIN)).toBe('about 2 hours')
  })
})

describe('runOutWhen', () => {
  it('gives the time of day only within two days', () => {
    const at = Date.parse('2026-03-24T13:05:00Z')
    expect(runOutWhen(at, 3_600_000, 'Europe/Berlin')).toBe('24 Mar 2026, 14:05')
    expect(runOutWhen(at, 5 * 86_400_000, 'Europe/Berlin')).toBe('24 Mar 2026')
  })
})
