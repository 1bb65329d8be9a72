/**
 * How long the agent waits between polls: the configured interval, and never less than keeps its
 * polling to `share` of its time. Listing 10k subscribers takes nft about a second of a CPU; polled
 * every second, the agent would take a whole CPU of a small router, and every top-up's own nft
 * change and the controller beside it would wait behind it. Kernel quotas still cut a subscriber
 * off at the cap between polls: a longer wait only delays the usage the controller sees.
 */
export function pollDelayMs(intervalMs: number, lastPollMs: number | undefined, share: number): number {
  if (lastPollMs === undefined || share >= 1) return intervalMs
  return Math.max(intervalMs, Math.ceil((lastPollMs * (1 - share)) / share))
}
