/** A subscriber's period, usage and effective limit: plan cap + the period's valid top-ups. */
import { billingPeriod } from '@capd/protocol'
import type { Plan, Subscriber, TopUp } from '../store/entities.js'

export interface Period {
  startMs: number
  endMs: number
}

export interface UsageView {
  usedBytes: number
  limitBytes: number
  remainingBytes: number
  periodStart: string
  periodEnd: string
}

export function currentPeriod(sub: Subscriber, nowMs: number, timeZone: string): Period {
  return billingPeriod(nowMs, sub.billingDay, timeZone)
}

const inPeriod = (atMs: number, period: Period) => atMs >= period.startMs && atMs < period.endMs

/** Usage restarts with each period: usage booked in an earlier one counts as 0 now. */
export function usedBytesIn(sub: Subscriber, period: Period): number {
  return inPeriod(sub.usagePeriodStartMs, period) ? sub.usedBytes : 0
}

/**
 * Top-ups bought in this period, not yet expired and not reversed. Usage is never reduced when one
 * expires or is reversed: only the limit shrinks.
 */
export function validTopUps(topUps: readonly TopUp[], period: Period, nowMs: number): TopUp[] {
  return topUps.filter(
    (t) => inPeriod(t.createdAtMs, period) && t.expiresAtMs > nowMs && t.reversedAtMs === undefined,
  )
}

export function limitBytes(plan: Plan, topUps: readonly TopUp[], period: Period, nowMs: number): number {
  return validTopUps(topUps, period, nowMs).reduce((sum, t) => sum + t.bytes, plan.capBytes)
}

export function usageView(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  nowMs: number,
  timeZone: string,
): UsageView {
  const period = currentPeriod(sub, nowMs, timeZone)
  const used = usedBytesIn(sub, period)
  const limit = limitBytes(plan, topUps, period, nowMs)
  return {
    usedBytes: used,
    limitBytes: limit,
    remainingBytes: Math.max(0, limit - used),
    periodStart: new Date(period.startMs).toISOString(),
    periodEnd: new Date(period.endMs).toISOString(),
  }
}
