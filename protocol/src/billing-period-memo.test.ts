import { describe, expect, it } from 'vitest'
import { billingPeriod, computePeriod } from './billing-period.js'
import { seededRandom } from './testing/seeded-random.js'

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/Santiago',
  'Africa/Nairobi',
  'Australia/Lord_Howe',
  'America/Havana',
]
const DAYS = [1, 15, 28, 29, 30, 31, 'last'] as const

describe('billingPeriod memo', () => {
  it('answers exactly as the computation does, for instants in any order, near period edges and DST changes', () => {
    const random = seededRandom(20261201)
    let at = Date.parse('2026-01-01T00:00:00Z')
    for (let i = 0; i < 4_000; i++) {
      const zone = ZONES[random.int(0, ZONES.length - 1)]!
      const day = DAYS[random.int(0, DAYS.length - 1)]!
      // Mostly small steps either way (the same period asked again), sometimes a jump, sometimes an edge.
      const step = random.int(0, 9)
      if (step < 6) at += random.int(-3_600_000, 3_600_000)
      else if (step < 9) at += random.int(-40, 40) * 86_400_000
      else at = computePeriod(at, day, zone).endMs - random.int(0, 1)
      expect(billingPeriod(at, day, zone), `${new Date(at).toISOString()} ${day} ${zone}`).toEqual(
        computePeriod(at, day, zone),
      )
    }
  })
})
