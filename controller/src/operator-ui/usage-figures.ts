/** Usage, limit and remaining data of many subscribers at one instant, cheaply enough for every row of a page. */
import { currentPeriod, limitBytes, type Period, usedBytesIn } from '../domain/usage.js'
import type { BillingDay, Plan, Subscriber, TopUp } from '../store/entities.js'

export interface UsageFigures {
  usedBytes: number
  limitBytes: number
  remainingBytes: number
}

/**
 * The current period for a subscriber, computed once per billing day: a period depends only on the
 * instant, the zone and the billing day, and working it out in a zone costs several Intl calls.
 */
export function periodFinder(nowMs: number, timeZone: string): (sub: Subscriber) => Period {
  const byDay = new Map<BillingDay, Period>()
  return (sub) => {
    let period = byDay.get(sub.billingDay)
    if (!period) {
      period = currentPeriod(sub, nowMs, timeZone)
      byDay.set(sub.billingDay, period)
    }
    return period
  }
}

/** The same arithmetic as the API's usage view (domain/usage.ts), for a period already known. */
export function usageFigures(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  period: Period,
  nowMs: number,
): UsageFigures {
  const used = usedBytesIn(sub, period)
  const limit = limitBytes(plan, topUps, period, nowMs, sub)
  return { usedBytes: used, limitBytes: limit, remainingBytes: Math.max(0, limit - used) }
}
