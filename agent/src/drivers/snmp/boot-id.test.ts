import { describe, expect, it } from 'vitest'
import { type BootObservation, createBootTracker } from './boot-id.js'

const WALL = Date.UTC(2025, 0, 1, 12, 3)
const MINUTE = 60_000
/** An agent up `uptimeMs` at `monoMs` after our first reading. */
const at = (monoMs: number, uptimeMs: number, engineBoots: bigint | undefined = 7n): BootObservation => ({
  engineBoots,
  uptimeTicks: BigInt(Math.round(uptimeMs / 10)),
  monoMs,
  wallMs: WALL + monoMs,
})

describe('createBootTracker', () => {
  it('keeps one id while the agent keeps running, however long', () => {
    const track = createBootTracker()
    const first = track(at(0, 3_600_000))
    expect(track(at(MINUTE, 3_600_000 + MINUTE))).toBe(first)
    // A day later, with the router's clock 50 ppm fast.
    expect(track(at(86_400_000, 3_600_000 + 86_400_000 * 1.00005))).toBe(first)
  })

  it('gives a restarted capd agent the same id for the same boot', () => {
    const before = createBootTracker()(at(0, 3_600_000))
    expect(createBootTracker()(at(5 * MINUTE, 3_600_000 + 5 * MINUTE + 300))).toBe(before)
  })

  it('changes when sysUpTime goes back', () => {
    const track = createBootTracker()
    const first = track(at(0, 3_600_000))
    expect(track(at(MINUTE, 20_000))).not.toBe(first)
  })

  it('changes after a reboot whose new uptime already passed the old one', () => {
    const track = createBootTracker()
    const first = track(at(0, 2 * MINUTE))
    // Rebooted 1 min after our reading, polled again 10 min later: uptime 9 min > 2 min.
    expect(track(at(10 * MINUTE, 9 * MINUTE))).not.toBe(first)
  })

  it('changes with snmpEngineBoots, and tells two quick reboots apart without it', () => {
    const track = createBootTracker()
    const first = track(at(0, 5 * MINUTE))
    const second = track(at(MINUTE, 6 * MINUTE, 8n))
    expect(second).not.toBe(first)

    const bare = createBootTracker()
    const a = bare(at(0, 1_000, undefined))
    const b = bare(at(2_000, 500, undefined))
    expect(b).not.toBe(a)
  })
})
