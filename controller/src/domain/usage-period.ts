/** A subscriber's billing period and the usage booked in it. */
import { billingPeriod } from '@capd/protocol'
import type { Subscriber } from '../store/entities.js'

export interface Period {
  startMs: number
  endMs: number
}

export function currentPeriod(sub: Subscriber, nowMs: number, timeZone: string): Period {
  return billingPeriod(nowMs, sub.billingDay, timeZone)
}

export const inPeriod = (atMs: number, period: Period) => atMs >= period.startMs && atMs < period.endMs

/** Usage restarts with each period: usage booked in an earlier one counts as 0 now. */
export function usedBytesIn(sub: Subscriber, period: Period): number {
  return inPeriod(sub.usagePeriodStartMs, period) ? sub.usedBytes : 0
}
