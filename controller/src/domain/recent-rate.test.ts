import { describe, expect, it } from 'vitest'
import { foldRate, RATE_HALF_LIFE_MS, rateAt } from './recent-rate.js'

const H = RATE_HALF_LIFE_MS
const MB = 1_000_000
const T0 = Date.UTC(2026, 2, 1)

/** Folds `bytesPerSecond` read every `everyMs` for `forMs`, from `rate` at its time. */
function steady(rate: ReturnType<typeof foldRate>, bytesPerSecond: number, everyMs: number, forMs: number) {
  let r = rate
  for (let t = everyMs; t <= forMs; t += everyMs)
    r = foldRate(r, rate.atMs + t, (bytesPerSecond * everyMs) / 1000)
  return r
}

/** A small random source that a failing seed can replay. */
function random(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

describe('foldRate', () => {
  it('gives a steady pace exactly, however the readings are spaced', () => {
    for (const everyMs of [1_000, 60_000, 15 * 60_000, 3 * H]) {
      const r = steady({ bytesPerSecond: 8 * MB, atMs: T0 }, 8 * MB, everyMs, 12 * H)
      expect(r.bytesPerSecond / (8 * MB)).toBeCloseTo(1, 9)
    }
  })

  it('takes one half-life to get half way to a new pace', () => {
    const r = steady({ bytesPerSecond: 0, atMs: T0 }, 8 * MB, 60_000, H)
    expect(r.bytesPerSecond / (8 * MB)).toBeCloseTo(0.5, 9)
  })

  it('decays by half per half-life of idle time, read or not', () => {
    const rate = { bytesPerSecond: 4 * MB, atMs: T0 }
    expect(rateAt(rate, T0 + H)).toBeCloseTo(2 * MB, 3)
    expect(rateAt(rate, T0 + 3 * H)).toBeCloseTo(0.5 * MB, 3)
    // A reading of nothing two half-lives later says the same as not reading.
    expect(foldRate(rate, T0 + 2 * H, 0).bytesPerSecond).toBeCloseTo(rateAt(rate, T0 + 2 * H), 3)
    // Before its last reading, the rate is what it was then.
    expect(rateAt(rate, T0 - H)).toBe(4 * MB)
  })

  it('weighs a short burst by its bytes, not by how fast it came', () => {
    const idle = steady({ bytesPerSecond: 0, atMs: T0 }, 0, 60_000, 2 * H)
    // 2 GB in one minute: the pace of that minute is 33 MB/s; an hour's weight of it is far less.
    const burst = foldRate(idle, idle.atMs + 60_000, 2_000 * MB)
    expect(burst.bytesPerSecond).toBeGreaterThan(0)
    expect(burst.bytesPerSecond).toBeLessThan((2_000 * MB) / 3600)
    // The same bytes spread over the hour weigh more once the hour is over, never less.
    const spread = steady(idle, (2_000 * MB) / 3600, 60_000, H)
    const burstAfterHour = rateAt(burst, spread.atMs)
    expect(burstAfterHour).toBeLessThan(spread.bytesPerSecond)
  })

  it('counts a reading dated before the last one at the last one’s time, and never goes back', () => {
    const rate = { bytesPerSecond: 1 * MB, atMs: T0 }
    const back = foldRate(rate, T0 - 10 * H, 36 * MB)
    expect(back.atMs).toBe(T0)
    expect(back.bytesPerSecond).toBeGreaterThan(rate.bytesPerSecond)
    // As if the bytes had arrived in no time at T0.
    expect(back.bytesPerSecond).toBeCloseTo(foldRate(rate, T0 + 1e-6, 36 * MB).bytesPerSecond, 3)
  })

  it('starts from a lone reading without inventing a pace', () => {
    const first = foldRate(undefined, T0, 480 * MB)
    expect(first.atMs).toBe(T0)
    expect(first.bytesPerSecond).toBeCloseTo((480 * MB * Math.log(2)) / (H / 1000), 3)
  })

  it('matches a direct weighted sum of the pace over every interval, for random readings', () => {
    // Reference: the rate at T is r0·e^(−λ(T−t0)) + Σ pace_i·(e^(−λ(T−t_i)) − e^(−λ(T−t_{i−1}))).
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = random(seed)
      const lambda = Math.log(2) / H
      const r0 = rnd() * 10 * MB
      let rate = { bytesPerSecond: r0, atMs: T0 }
      const readings: { atMs: number; bytes: number }[] = []
      let t = T0
      const n = 1 + Math.floor(rnd() * 60)
      for (let i = 0; i < n; i++) {
        t += Math.ceil(rnd() ** 3 * 4 * H) // mostly short gaps, some long idle ones
        const bytes = rnd() < 0.2 ? 0 : Math.floor(rnd() * 5_000 * MB)
        readings.push({ atMs: t, bytes })
        rate = foldRate(rate, t, bytes)
      }
      let expected = r0 * Math.exp(-lambda * (t - T0))
      let prev = T0
      for (const { atMs, bytes } of readings) {
        const pace = (bytes * 1000) / (atMs - prev)
        expected += pace * (Math.exp(-lambda * (t - atMs)) - Math.exp(-lambda * (t - prev)))
        prev = atMs
      }
      expect(rate.atMs, `seed ${seed}`).toBe(t)
      expect(Math.abs(rate.bytesPerSecond - expected), `seed ${seed}`).toBeLessThanOrEqual(
        expected * 1e-9 + 1e-6,
      )
    }
  })
})
