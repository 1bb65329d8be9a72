/** Jittered exponential backoff: how long to wait before the next attempt after `failures` failures in a row. */

export interface BackoffOptions {
  /** Wait after the first failure, before jitter (default 1 s). */
  initialMs?: number
  /** Ceiling, before jitter (default 60 s). */
  maxMs?: number
}

/**
 * Half fixed, half random ("equal jitter"): agents that lost the same router together spread out,
 * yet none retries sooner than half the nominal delay.
 */
export function backoffDelayMs(
  failures: number,
  { initialMs = 1000, maxMs = 60_000 }: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  if (failures <= 0) return 0
  const nominal = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30))
  return Math.round(nominal / 2 + (random() * nominal) / 2)
}
