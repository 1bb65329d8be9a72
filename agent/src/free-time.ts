/**
 * Free-hour windows as the agent enforces them: which windows a time falls in, and the next window
 * start or end any held limit has, so the agent reads its counters exactly there.
 */
import { type FreeWindowMs, freeWindowsMs, type SubscriberLimit } from '@capd/protocol'

type Windowed = Pick<SubscriberLimit, 'freeWindows'>

/**
 * Whether the time just after `atMs` is free: start ≤ atMs < end. A reading at `atMs` covers the
 * time before it (see inFreeWindow's start < atMs ≤ end), so from a reading taken at a window's
 * start the agent stops enforcing, and from one taken at its end it enforces again.
 */
export function freeFrom(limit: Windowed, atMs: number): boolean {
  for (const w of windowsOf(limit)) if (w.startMs <= atMs && atMs < w.endMs) return true
  return false
}

/** The earliest window start or end after `nowMs` among these limits, or undefined if there is none. */
export function nextBoundaryMs(limits: Iterable<Windowed>, nowMs: number): number | undefined {
  let next: number | undefined
  for (const limit of limits) {
    for (const w of windowsOf(limit)) {
      for (const edge of [w.startMs, w.endMs]) {
        if (edge > nowMs && (next === undefined || edge < next)) next = edge
      }
      if (w.startMs > nowMs) break // windows are ordered: nothing later can be earlier
    }
  }
  return next
}

const parsed = new WeakMap<object, FreeWindowMs[]>()

/** A limit's windows in ms, parsed once per limit object (they are looked at every poll). */
function windowsOf(limit: Windowed): FreeWindowMs[] {
  if (!limit.freeWindows) return []
  let windows = parsed.get(limit.freeWindows)
  if (!windows) {
    windows = freeWindowsMs(limit.freeWindows) ?? []
    parsed.set(limit.freeWindows, windows)
  }
  return windows
}
