/**
 * A subscriber's buckets this period as shown: size, used, left, valid until.
 * PLACEHOLDER until the bucket rules land: the plan bucket takes all usage.
 */
import type { BucketView, Plan, Subscriber, TopUp } from '../store/entities.js'
import { currentPeriod, usedBytesIn, validTopUps } from './usage.js'

export function bucketViews(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  nowMs: number,
  timeZone: string,
): BucketView[] {
  const period = currentPeriod(sub, nowMs, timeZone)
  const used = usedBytesIn(sub, period)
  const views: BucketView[] = [
    {
      id: 'plan',
      kind: 'plan',
      label: plan.name,
      sizeBytes: plan.capBytes,
      usedBytes: Math.min(used, plan.capBytes),
      leftBytes: Math.max(0, plan.capBytes - used),
      validFromMs: period.startMs,
      validUntilMs: period.endMs,
      expired: false,
    },
  ]
  for (const t of validTopUps(topUps, period, nowMs)) {
    views.push({
      id: t.id,
      kind: 'topup',
      label: 'Top-up',
      sizeBytes: t.bytes,
      usedBytes: 0,
      leftBytes: t.bytes,
      validFromMs: t.createdAtMs,
      validUntilMs: t.expiresAtMs,
      expired: false,
      topUpId: t.id,
    })
  }
  return views
}
