/**
 * When a subscriber will reach their limit: at their recent rate (see domain/recent-rate.ts), or
 * at the pace of this period so far when there is no recent rate.
 */
import { rateAt } from '../domain/recent-rate.js'
import type { RecentRate } from '../store/entities.js'

export interface RunOutInput {
  usedBytes: number
  limitBytes: number
  /**
   * Since when `usedBytes` was counted: the period's start, or the subscriber's creation if later
   * (a subscriber added on the 25th has not been idle since the 1st).
   */
  sinceMs: number
  periodEndMs: number
  nowMs: number
  /** The subscriber's recent rate, when usage has been folded into one. */
  recentRate?: RecentRate | undefined
}

export type RunOut =
  | { kind: 'reached' }
  /** At this pace the limit is not reached before the period ends (or nothing is used yet). */
  | { kind: 'not_this_period' }
  /** `inMs` from now; `basis` says which pace said so. */
  | { kind: 'at'; atMs: number; inMs: number; basis: 'recent' | 'period' }

/** Counted for less than this, a period's pace is noise: say nothing rather than guess. */
const MIN_ELAPSED_MS = 3_600_000

/**
 * A recent rate whose last reading is older than this says only that the line has been idle;
 * the period's pace (a daily rhythm, say) then says more about the days ahead.
 */
export const RECENT_RATE_STALE_MS = 6 * 3_600_000

export function projectRunOut(input: RunOutInput): RunOut {
  const { usedBytes, limitBytes, periodEndMs, nowMs, recentRate } = input
  if (usedBytes >= limitBytes) return { kind: 'reached' }
  const recent = recentRate && nowMs - recentRate.atMs <= RECENT_RATE_STALE_MS
  const bytesPerMs = recent ? rateAt(recentRate, nowMs) / 1000 : periodPace(input)
  if (!(bytesPerMs > 0)) return { kind: 'not_this_period' }
  const inMs = Math.round((limitBytes - usedBytes) / bytesPerMs)
  if (nowMs + inMs >= periodEndMs) return { kind: 'not_this_period' }
  return { kind: 'at', atMs: nowMs + inMs, inMs, basis: recent ? 'recent' : 'period' }
}

/** Bytes per ms this period so far, or 0 when too little is known. */
function periodPace({ usedBytes, sinceMs, nowMs }: RunOutInput): number {
  const elapsedMs = nowMs - sinceMs
  if (usedBytes <= 0 || elapsedMs < MIN_ELAPSED_MS) return 0
  return usedBytes / elapsedMs
}
