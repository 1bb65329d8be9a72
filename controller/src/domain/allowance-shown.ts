/**
 * What the API, the operator's subscriber page and the portal show of a subscriber's allowance this
 * period: each bucket, and the usage drawn from none (free hours, over the cap) once it is known.
 */
import type { BucketView, Plan, Subscriber, TopUp } from '../store/entities.js'
import { bucketViews } from './allowance-view.js'
import { currentPeriod } from './usage.js'

export interface AllowanceShown {
  buckets: BucketView[]
  /** Usage inside free hours this period; absent until the period's draws are recorded. */
  freeBytes?: number
  /** Usage past every bucket this period; absent until the period's draws are recorded. */
  overBytes?: number
}

export function allowanceShown(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  nowMs: number,
  timeZone: string,
): AllowanceShown {
  const buckets = bucketViews(sub, plan, topUps, nowMs, timeZone)
  const a = sub.allowance
  // Draws of an earlier period say nothing of this one (the next booking rolls them over).
  if (!a || a.periodStartMs !== currentPeriod(sub, nowMs, timeZone).startMs) return { buckets }
  return { buckets, freeBytes: a.freeBytes, overBytes: a.overBytes }
}

/** The wire form of a bucket: ISO times, as every API record. */
export const bucketJson = (b: BucketView) => ({
  id: b.id,
  kind: b.kind,
  label: b.label,
  sizeBytes: b.sizeBytes,
  usedBytes: b.usedBytes,
  leftBytes: b.leftBytes,
  validFrom: new Date(b.validFromMs).toISOString(),
  validUntil: new Date(b.validUntilMs).toISOString(),
  expired: b.expired,
  ...(b.topUpId ? { topUpId: b.topUpId } : {}),
})

export type BucketJson = ReturnType<typeof bucketJson>

/** The allowance as the APIs give it. */
export const allowanceJson = (a: AllowanceShown) => ({
  buckets: a.buckets.map(bucketJson),
  ...(a.freeBytes === undefined ? {} : { freeBytes: a.freeBytes }),
  ...(a.overBytes === undefined ? {} : { overBytes: a.overBytes }),
})
