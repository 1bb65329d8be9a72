import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { PushLatency } from './push-latency.js'

describe('limit push latency', () => {
  it('measures from the newest pushed version to the first report of it or a newer one', () => {
    let now = 0
    const seen: number[] = []
    const latency = new PushLatency(
      (s) => seen.push(s),
      () => now,
    )
    latency.pushed([{ subscriberId: 'a', limitVersion: 3 }], 1000)
    latency.pushed([{ subscriberId: 'a', limitVersion: 4 }], 1500)
    // A stale push arriving late does not replace the newer one.
    latency.pushed([{ subscriberId: 'a', limitVersion: 2 }], 1700)
    now = 2000
    latency.enforced([{ subscriberId: 'a', limitVersion: 3 }])
    expect(seen).toEqual([])
    now = 2250
    latency.enforced([{ subscriberId: 'a', limitVersion: 5 }])
    expect(seen).toEqual([0.75])
    latency.enforced([{ subscriberId: 'a', limitVersion: 5 }])
    expect(seen).toEqual([0.75])
    // The same version pushed again (a reconnect's replay) is not measured twice.
    latency.pushed([{ subscriberId: 'a', limitVersion: 4 }], 2300)
    latency.enforced([{ subscriberId: 'a', limitVersion: 5 }])
    expect(seen).toEqual([0.75])
  })

  it('holds at most one push per subscriber, and observes each once, in any order of events', () => {
    const rnd = seededRandom(21)
    let now = 0
    const seen: number[] = []
    const latency = new PushLatency(
      (s) => seen.push(s),
      () => now,
    )
    const newest = new Map<string, number>()
    const enforcedAt = new Map<string, number>()
    let expected = 0
    for (let step = 0; step < 2000; step++) {
      now += rnd.int(0, 50)
      const id = `s${rnd.int(0, 19)}`
      if (rnd.next() < 0.5) {
        const version = Math.max(0, (newest.get(id) ?? 0) + rnd.int(-1, 2))
        if (version > (newest.get(id) ?? -1)) newest.set(id, version)
        latency.pushed([{ subscriberId: id, limitVersion: version }], now)
      } else {
        const version = rnd.int(0, (newest.get(id) ?? 0) + 2)
        const pending = newest.has(id) && (enforcedAt.get(id) ?? -1) < newest.get(id)!
        // Reported before anything was pushed: nothing to measure.
        if (pending && version >= newest.get(id)!) {
          expected++
          enforcedAt.set(id, newest.get(id)!)
        }
        latency.enforced([{ subscriberId: id, limitVersion: version }])
      }
      expect(latency.size).toBeLessThanOrEqual(20)
    }
    expect(seen.length).toBe(expected)
    for (const s of seen) expect(s).toBeGreaterThanOrEqual(0)
  })
})
