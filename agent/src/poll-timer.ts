/**
 * When the agent polls next: after the usual interval, or at the next free-window start or end of
 * any held limit if that comes first, so that no reading spans a window edge.
 */
import type { SubscriberLimit } from '@capd/protocol'
import { nextBoundaryMs } from './free-time.js'

export interface PollTimerDeps {
  /** The agent's clock. */
  now: () => number
  /** The limits held now. */
  limits: () => Iterable<Pick<SubscriberLimit, 'freeWindows'>>
  /** When the last reading was stamped, if there was one. */
  lastReadAtMs: () => number | undefined
  /** Runs one poll; `boundaryMs` when it is the poll for that window edge. */
  poll: (boundaryMs: number | undefined) => Promise<void>
  /** The interval to wait after a poll (the agent polls faster near a cap). */
  interval: () => number
}

export class PollTimer {
  private timer: NodeJS.Timeout | null = null
  /** When the pending poll is due (agent clock), while one is pending. */
  private dueMs: number | undefined
  private stopped = false

  constructor(private readonly deps: PollTimerDeps) {}

  /** Sets the next poll, at most `intervalMs` away. */
  schedule(intervalMs: number): void {
    if (this.stopped) return
    const nowMs = this.deps.now()
    const boundaryMs = this.nextBoundary(nowMs)
    const atBoundary = boundaryMs !== undefined && boundaryMs - nowMs <= intervalMs
    const delayMs = atBoundary ? Math.max(0, boundaryMs - nowMs) : intervalMs
    this.dueMs = nowMs + delayMs
    this.arm(delayMs, atBoundary ? boundaryMs : undefined)
  }

  /**
   * A poll for a window edge never runs before the edge by the agent's clock, or its reading would
   * not be stamped at the edge: that clock can run behind the timers' (a wall clock being slewed
   * back by NTP runs slow, and a timer then fires a few ms early by it). Early, it waits the rest.
   */
  private arm(delayMs: number, boundaryMs: number | undefined): void {
    this.timer = setTimeout(() => {
      const earlyMs = boundaryMs === undefined ? 0 : boundaryMs - this.deps.now()
      if (earlyMs > 0) {
        this.arm(earlyMs, boundaryMs)
        return
      }
      this.timer = null
      this.dueMs = undefined
      void this.deps.poll(boundaryMs).finally(() => this.schedule(this.deps.interval()))
    }, delayMs)
  }

  /** New limits may bring a window edge before the pending poll: the timer is set again for it. */
  limitsChanged(): void {
    if (!this.timer || this.dueMs === undefined) return
    const nowMs = this.deps.now()
    const boundaryMs = this.nextBoundary(nowMs)
    if (boundaryMs === undefined || boundaryMs >= this.dueMs) return
    clearTimeout(this.timer)
    this.timer = null
    this.schedule(this.dueMs - nowMs)
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  /**
   * The edge after the last reading, not after now: a poll that began just before an edge and
   * ended after it must not skip it.
   */
  private nextBoundary(nowMs: number): number | undefined {
    return nextBoundaryMs(this.deps.limits(), Math.min(nowMs, this.deps.lastReadAtMs() ?? nowMs))
  }
}
