import { describe, expect, it } from 'vitest'
import type { CounterReading } from './drivers/driver.js'
import { BOUNDARY_SLACK_MS, stampReading } from './reading-stamp.js'

const reading = (): CounterReading => ({ atMs: 1, bootId: 'b', samples: [] })

describe('stampReading', () => {
  it('stamps a read begun within the slack after its boundary at the boundary', () => {
    for (const late of [0, 1, BOUNDARY_SLACK_MS]) {
      const r = stampReading(reading(), {
        startedAtMs: 10_000 + late,
        endedAtMs: 10_050 + late,
        boundaryMs: 10_000,
      })
      expect([r.startedAtMs, r.atMs]).toEqual([10_000, 10_000])
    }
  })

  it("keeps the agent's clock when the read is too late, early, unscheduled or not after the last reading", () => {
    const cases = [
      { boundaryMs: 10_000, startedAtMs: 10_000 + BOUNDARY_SLACK_MS + 1 },
      { boundaryMs: 10_000, startedAtMs: 9_999 },
      { startedAtMs: 10_000 },
      { boundaryMs: 10_000, startedAtMs: 10_001, lastAtMs: 10_000 },
    ]
    for (const c of cases) {
      const r = stampReading(reading(), { ...c, endedAtMs: c.startedAtMs + 7 })
      expect([r.startedAtMs, r.atMs]).toEqual([c.startedAtMs, c.startedAtMs + 7])
    }
  })

  it("keeps the driver's object (its listing cache goes by identity)", () => {
    const r = reading()
    expect(stampReading(r, { startedAtMs: 5, endedAtMs: 6 })).toBe(r)
  })
})
