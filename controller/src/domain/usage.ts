/**
 * A subscriber's period, usage and effective limit: the limit its buckets give (plan cap, the
 * period's top-ups, rolled-over data; see allowance-draw.ts).
 */
import type { DrawOrder, Plan, Subscriber, TopUp } from '../store/entities.js'
import { allowanceFigures } from './allowance-state.js'
import { currentPeriod, inPeriod, type Period, usedBytesIn } from './usage-period.js'

export { currentPeriod, type Period, usedBytesIn }

export interface UsageView {
  usedBytes: number
  limitBytes: number
  remainingBytes: number
  periodStart: string
  periodEnd: string
}

/** Top-ups bought in this period, not yet expired and not reversed. */
export function validTopUps(topUps: readonly TopUp[], period: Period, nowMs: number): TopUp[] {
  return topUps.filter(
    (t) => inPeriod(t.createdAtMs, period) && t.expiresAtMs > nowMs && t.reversedAtMs === undefined,
  )
}

/**
 * The limit enforced now. With the subscriber, its buckets' (an expired or reversed top-up keeps
 * the part already used: usage never shrinks); without, plan cap + valid top-ups (no draws known).
 */
export function limitBytes(
  plan: Plan,
  topUps: readonly TopUp[],
  period: Period,
  nowMs: number,
  sub?: Subscriber,
  order?: DrawOrder,
): number {
  if (sub) return allowanceFigures(sub, plan, topUps, period, nowMs, order).limitBytes
  return validTopUps(topUps, period, nowMs).reduce((sum, t) => sum + t.bytes, plan.capBytes)
}

export function usageView(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  nowMs: number,
  timeZone: string,
  order?: DrawOrder,
): UsageView {
  const period = currentPeriod(sub, nowMs, timeZone)
  const used = usedBytesIn(sub, period)
  const limit = limitBytes(plan, topUps, period, nowMs, sub, order)
  return {
    usedBytes: used,
    limitBytes: limit,
    remainingBytes: Math.max(0, limit - used),
    periodStart: new Date(period.startMs).toISOString(),
    periodEnd: new Date(period.endMs).toISOString(),
  }
}
