/**
 * The recent rate of drawn usage: an exponentially weighted rate over readings at uneven times,
 * for the run-out projection.
 *
 * Half-life one hour: the last hour weighs half, the last three hours seven eighths. That is long
 * enough that one short burst (a 5-minute, 2 GB update) moves the rate by a fraction of what a
 * sustained hour of use does, and short enough that someone who started streaming an hour ago is
 * already seen at half their pace, three quarters after two hours — the horizon on which "at this
 * rate" matters is the last few hours before the cap.
 */
import type { RecentRate } from '../store/entities.js'

export const RATE_HALF_LIFE_MS = 3_600_000

const LN2 = Math.log(2)

/**
 * Folds `bytes` read at `atMs` (covering the time since the rate's last reading) into `rate`.
 * A steady pace gives exactly that pace whatever the spacing of readings: the bytes are spread
 * over the gap since the last reading, and the old rate keeps the weight the gap has not decayed.
 * A reading dated at or before the last one (an agent's clock set back, a late batch) is counted
 * as if at the last reading's time: the bytes are real and just arrived, and the rate's clock
 * never goes back.
 */
export function foldRate(
  rate: RecentRate | undefined,
  atMs: number,
  bytes: number,
  halfLifeMs = RATE_HALF_LIFE_MS,
): RecentRate {
  const perMs = LN2 / halfLifeMs
  // Nothing before: a lone reading is a burst of unknown length, weighted as if instantaneous.
  if (!rate) return { bytesPerSecond: bytes * perMs * 1000, atMs }
  const gapMs = atMs - rate.atMs
  if (gapMs <= 0) return { bytesPerSecond: rate.bytesPerSecond + bytes * perMs * 1000, atMs: rate.atMs }
  const kept = Math.exp(-gapMs * perMs)
  // 1 - kept, exact for tiny gaps too.
  const taken = -Math.expm1(-gapMs * perMs)
  return { bytesPerSecond: kept * rate.bytesPerSecond + (taken * bytes * 1000) / gapMs, atMs }
}

/** The rate at `nowMs`: the time since the last reading was idle (a reading would have said otherwise). */
export function rateAt(rate: RecentRate, nowMs: number, halfLifeMs = RATE_HALF_LIFE_MS): number {
  const idleMs = Math.max(0, nowMs - rate.atMs)
  return rate.bytesPerSecond * 2 ** (-idleMs / halfLifeMs)
}
