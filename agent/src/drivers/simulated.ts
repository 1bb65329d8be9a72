/**
 * A router in memory whose counters move by themselves: for the demo and for trying capd without
 * hardware. Open subscribers download at about `bytesPerSecond` (each at its own pace), throttled
 * ones at their throttle rates, blocked ones not at all; kernel-style quotas are honoured in the
 * direction(s) they count.
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
      const { state, throttleKbps = 0, throttleUpKbps = throttleKbps } = sub.rule
      const rate =
        state === 'blocked'
          ? 0
          : state === 'throttled'
            ? (throttleKbps * 1000) / 8
            : options.bytesPerSecond * sub.pace
      const bytes = BigInt(Math.floor(rate * seconds))
      let up = bytes / 10n
      if (state === 'throttled') {
        const upMost = BigInt(Math.floor(((throttleUpKbps * 1000) / 8) * seconds))
        if (up > upMost) up = upMost
      }
      let down = bytes - up
      if (sub.quotaLeft !== undefined) {
        // Like the kernel quota, only the counted direction(s) spend it; here all traffic stops with it.
        const count = sub.rule.count ?? 'both'
        const counted = (d: bigint, u: bigint) => (count === 'down' ? d : count === 'up' ? u : d + u)
        const spent = counted(down, up)
        if (spent > sub.quotaLeft) {
          const left = sub.quotaLeft
          ;[down, up] = [(down * left) / spent, (up * left) / spent]
          // Rounded down each, so the counted direction gets the last bytes: the quota runs out exactly.
          if (count === 'up') up = left
          else down = count === 'down' ? left : left - up
        }
        sub.quotaLeft -= counted(down, up)
      }
      sub.down += down
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
