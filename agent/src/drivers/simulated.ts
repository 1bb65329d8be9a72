/**
 * A router in memory whose counters move by themselves: for the demo and for trying capd without
 * hardware. Open subscribers download at about `bytesPerSecond` (each at its own pace), throttled
 * ones at their throttle rate, blocked ones not at all; kernel-style quotas are honoured.
 */
import type { CounterReading, CountersCreating, RouterDriver, SubscriberRule } from './driver.js'

interface SimSubscriber {
  rule: SubscriberRule
  counterId: string
  down: bigint
  up: bigint
  /** Bytes still allowed before the simulated quota drops traffic. */
  quotaLeft: bigint | undefined
  pace: number
}

export function createSimulatedDriver(options: { bytesPerSecond: number; now?: () => number }): RouterDriver {
  const now = options.now ?? Date.now
  const subscribers = new Map<string, SimSubscriber>()
  const bootId = `sim-${now()}`
  let lastMs = now()
  let generation = 0

  function advance(): void {
    const at = now()
    const seconds = Math.max(0, at - lastMs) / 1000
    lastMs = at
    for (const sub of subscribers.values()) {
      const rate =
        sub.rule.state === 'blocked'
          ? 0
          : sub.rule.state === 'throttled'
            ? ((sub.rule.throttleKbps ?? 0) * 1000) / 8
            : options.bytesPerSecond * sub.pace
      let bytes = BigInt(Math.floor(rate * seconds))
      if (sub.quotaLeft !== undefined) {
        if (bytes > sub.quotaLeft) bytes = sub.quotaLeft
        sub.quotaLeft -= bytes
      }
      const up = bytes / 10n
      sub.down += bytes - up
      sub.up += up
    }
  }

  return {
    kind: 'simulated',
    async start() {},
    async readCounters(): Promise<CounterReading> {
      advance()
      return {
        atMs: lastMs,
        bootId,
        samples: [...subscribers].map(([subscriberId, s]) => ({
          subscriberId,
          counterId: s.counterId,
          down: s.down,
          up: s.up,
        })),
      }
    },
    async apply(rules, _reading, creating?: CountersCreating) {
      // No advance here: remainingBytes was computed from the last reading, so the quota starts there.
      const wanted = new Set(rules.map((r) => r.subscriberId))
      const added = rules.filter((r) => !subscribers.has(r.subscriberId)).map((r) => r.subscriberId)
      if (added.length > 0) await creating?.(added)
      for (const id of subscribers.keys()) if (!wanted.has(id)) subscribers.delete(id)
      for (const rule of rules) {
        const existing = subscribers.get(rule.subscriberId)
        const sub = existing ?? {
          rule,
          counterId: `sim-${++generation}`,
          down: 0n,
          up: 0n,
          quotaLeft: undefined,
          pace: 0.3 + Math.random() * 1.4,
        }
        sub.rule = rule
        sub.quotaLeft = rule.remainingBytes
        subscribers.set(rule.subscriberId, sub)
      }
      return { skipped: [] }
    },
    async close() {},
  }
}
