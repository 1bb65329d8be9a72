/** When a failed delivery is tried again: 30 s after the first attempt, doubling, at most an hour apart. */
const FIRST_MS = 30_000
const MAX_MS = 3600_000

export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_MS, FIRST_MS * 2 ** Math.max(0, attempts - 1))
}
