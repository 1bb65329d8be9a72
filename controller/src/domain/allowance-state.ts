/**
 * A subscriber's allowance for a period with its buckets: the draws kept on the subscriber, or,
 * for rows written before draws were kept (or whose draws fall short of the usage booked), the
 * usage drawn in order as if at once.
 */
import type { Allowance, DrawOrder, Plan, Subscriber, TopUp } from '../store/entities.js'
import { type Bucket, periodBuckets } from './allowance-buckets.js'
import { bookedBytes, draw, emptyAllowance, enforcedLimit, leftBytes } from './allowance-draw.js'
import { type Period, usedBytesIn } from './usage-period.js'

export interface PeriodAllowance {
  allowance: Allowance
  buckets: Bucket[]
}

export function allowanceOf(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  period: Period,
  order: DrawOrder = 'plan_first',
): PeriodAllowance {
  const used = usedBytesIn(sub, period)
  const kept = sub.allowance?.periodStartMs === period.startMs ? sub.allowance : undefined
  let allowance = kept ?? emptyAllowance(period.startMs)
  const buckets = periodBuckets(plan, topUps, period, allowance.rollover, order)
  const booked = bookedBytes(allowance)
  if (booked > used) allowance = { ...allowance, drawn: {}, overBytes: 0, forgivenBytes: 0 }
  allowance = draw(allowance, buckets, used - bookedBytes(allowance), undefined)
  return { allowance, buckets }
}

/** The limit the agent enforces now and what is left of the valid buckets. */
export function allowanceFigures(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  period: Period,
  nowMs: number,
  order?: DrawOrder,
): { limitBytes: number; leftBytes: number } {
  const { allowance, buckets } = allowanceOf(sub, plan, topUps, period, order)
  return {
    limitBytes: enforcedLimit(allowance, buckets, nowMs),
    leftBytes: leftBytes(allowance, buckets, nowMs),
  }
}
