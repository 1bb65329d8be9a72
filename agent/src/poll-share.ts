/**
 * How long the agent waits between polls: the configured interval, and never less than keeps its
 * readings of the router to `share` of its time. Listing 10k subscribers takes nft about a second
 * of a CPU; polled every second, the agent would take a whole CPU of a small router, and every
 * top-up's own nft change and the controller beside it would wait behind it. (The agent does not
 * wait so while someone is about to reach the cap: see Agent.nextInterval.)
 */
export function pollDelayMs(intervalMs: number, lastReadMs: number | undefined, share: number): number {
  if (lastReadMs === undefined || share >= 1) return intervalMs
  return Math.max(intervalMs, Math.ceil((lastReadMs * (1 - share)) / share))
}
