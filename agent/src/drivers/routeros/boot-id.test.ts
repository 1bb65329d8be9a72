import { describe, expect, it } from 'vitest'
import { createBootTracker, type UptimeObservation } from './boot-id.js'

const WALL = Date.UTC(2025, 0, 1, 12, 3)
const MINUTE = 60_000
/** Uptime as RouterOS prints it (whole seconds), `monoMs` after our first reading. */
const at = (monoMs: number, uptimeMs: number): UptimeObservation => ({
  uptimeMs: Math.floor(uptimeMs / 1000) * 1000,
  monoMs,
  wallMs: WALL + monoMs,
})

describe('createBootTracker', () => {
  it('keeps one id while the router keeps running, despite whole-second uptime and drift', () => {
    const track = createBootTracker()
    const first = track(at(0, 3_600_400))
    expect(first).toBe('ros:boot@2025-01-01T11:00Z')
    expect(track(at(700, 3_601_100))).toBe(first)
    expect(track(at(86_400_000, 3_600_400 + 86_400_000 * 1.00005))).toBe(first)
  })

  it('gives a restarted capd agent the same id for the same boot', () => {
    const before = createBootTracker()(at(0, 3_600_000))
    expect(createBootTracker()(at(5 * MINUTE, 3_600_000 + 5 * MINUTE + 900))).toBe(before)
  })

  it('changes when uptime goes back, even within the same ten minutes', () => {
    const track = createBootTracker()
    const first = track(at(0, 30_000))
    const second = track(at(40_000, 2_000))
    expect(second).not.toBe(first)
    expect(second).toBe(`${first}:r1`)
    expect(track(at(41_000, 3_000))).toBe(second)
  })

  it('changes after a reboot whose new uptime already passed the old one', () => {
    const track = createBootTracker()
    const first = track(at(0, 2 * MINUTE))
    expect(track(at(10 * MINUTE, 9 * MINUTE))).not.toBe(first)
  })
})
