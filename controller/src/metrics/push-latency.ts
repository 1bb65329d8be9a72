/**
 * Limit push latency: from the commit that changed a subscriber's limit to the agent's report that
 * it enforces that version. One entry per subscriber (its newest push: one it supersedes is never
 * enforced as such), so what is held is bounded by the number of subscribers; a push of a version
 * already reported enforced (a replay after a reconnect) is not measured again.
 */
import type { LimitVersionOf } from './controller-metrics.js'

export class PushLatency {
  private readonly newest = new Map<
    string,
    { limitVersion: number; committedAtMs: number; enforced: boolean }
  >()

  constructor(
    /** Told each latency measured, in seconds. */
    private readonly observe: (seconds: number) => void,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  pushed(limits: readonly LimitVersionOf[], committedAtMs: number): void {
    for (const { subscriberId, limitVersion } of limits) {
      const held = this.newest.get(subscriberId)
      if (held && held.limitVersion >= limitVersion) continue
      this.newest.set(subscriberId, { limitVersion, committedAtMs, enforced: false })
    }
  }

  /** A report of an older version leaves the push pending; the same or a newer one ends it. */
  enforced(states: readonly LimitVersionOf[]): void {
    const nowMs = this.nowMs()
    for (const { subscriberId, limitVersion } of states) {
      const held = this.newest.get(subscriberId)
      if (!held || held.enforced || limitVersion < held.limitVersion) continue
      held.enforced = true
      this.observe(Math.max(0, nowMs - held.committedAtMs) / 1000)
    }
  }

  /** Subscribers held (pushed at least once). */
  get size(): number {
    return this.newest.size
  }
}
