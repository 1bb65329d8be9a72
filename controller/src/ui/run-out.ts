/** When a subscriber will reach their limit at the pace of this period so far: a straight-line projection. */

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
}

export type RunOut =
  | { kind: 'reached' }
  /** At this pace the limit is not reached before the period ends (or nothing is used yet). */
  | { kind: 'not_this_period' }
  | { kind: 'at'; atMs: number }

/** Counted for less than this, a pace is noise: say nothing rather than guess. */
const MIN_ELAPSED_MS = 3_600_000

export function projectRunOut({ usedBytes, limitBytes, sinceMs, periodEndMs, nowMs }: RunOutInput): RunOut {
  if (usedBytes >= limitBytes) return { kind: 'reached' }
  const elapsedMs = nowMs - sinceMs
  if (usedBytes <= 0 || elapsedMs < MIN_ELAPSED_MS) return { kind: 'not_this_period' }
  const bytesPerMs = usedBytes / elapsedMs
  const atMs = nowMs + (limitBytes - usedBytes) / bytesPerMs
  return atMs >= periodEndMs ? { kind: 'not_this_period' } : { kind: 'at', atMs: Math.round(atMs) }
}
