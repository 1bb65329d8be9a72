/**
 * Rollover (pure): at a period's end, its unused plan data and/or unused top-up data still valid
 * at the end, with the rolled-over data that has not expired, become the next period's rollover,
 * capped at the rule's maximum (absent = the plan's cap). Data rolled over earlier keeps its own
 * expiry and goes under the cap first; this period's unused data expires after `periods` periods.
 */
import type { Allowance, Plan, RolloverBucket } from '../store/entities.js'
import type { Bucket } from './allowance-buckets.js'
import { drawnFrom } from './allowance-draw.js'
import type { Period } from './usage.js'

export const rolloverId = (fromPeriodStartMs: number) => `ro-${fromPeriodStartMs}`

/**
 * The rollover of the period after `ended`. `buckets` are the ended period's; `periodAfter` gives
 * the period that follows one (billing day and zone are the caller's).
 */
export function rolledOver(
  plan: Plan,
  ended: Allowance,
  buckets: readonly Bucket[],
  endedPeriod: Period,
  periodAfter: (p: Period) => Period,
): RolloverBucket[] {
  const left = (b: Bucket) => Math.max(0, b.sizeBytes - drawnFrom(ended, b.id))
  const rule = plan.rollover
  let room = rule?.maxBytes ?? plan.capBytes
  const next: RolloverBucket[] = []
  const carried = buckets.filter((b) => b.kind === 'rollover' && b.validUntilMs > endedPeriod.endMs)
  for (const b of carried) {
    const size = Math.min(room, left(b))
    const source = ended.rollover.find((r) => r.id === b.id)
    if (size <= 0 || !source) continue
    next.push({
      id: b.id,
      fromPeriodStartMs: source.fromPeriodStartMs,
      sizeBytes: size,
      expiresAtMs: b.validUntilMs,
    })
    room -= size
  }
  if (!rule) return next
  let unused = 0
  for (const b of buckets) {
    if (b.kind === 'plan' && rule.plan) unused += left(b)
    if (b.kind === 'topup' && rule.topUps && b.validUntilMs >= endedPeriod.endMs) unused += left(b)
  }
  const size = Math.min(room, unused)
  if (size > 0) {
    let last = periodAfter(endedPeriod)
    for (let i = 1; i < Math.max(1, rule.periods); i++) last = periodAfter(last)
    next.push({
      id: rolloverId(endedPeriod.startMs),
      fromPeriodStartMs: endedPeriod.startMs,
      sizeBytes: size,
      expiresAtMs: last.endMs,
      ...(unused > size ? { unusedBytes: unused } : {}),
    })
  }
  return next
}

/**
 * Usage of an ended period booked after it ended (an agent replaying its journal): it would have
 * drawn from that period's unused data, so the rollover made from it shrinks (never below 0) and
 * nothing is granted twice. Draws past the new size must be redrawn (see redraw).
 */
export function shrinkRollover(a: Allowance, fromPeriodStartMs: number, bytes: number): Allowance {
  const id = rolloverId(fromPeriodStartMs)
  const bucket = a.rollover.find((r) => r.id === id)
  if (!bucket || bytes <= 0) return a
  const unusedBytes = Math.max(0, (bucket.unusedBytes ?? bucket.sizeBytes) - bytes)
  const sizeBytes = Math.min(bucket.sizeBytes, unusedBytes)
  const shrunk: RolloverBucket = {
    id,
    fromPeriodStartMs,
    sizeBytes,
    expiresAtMs: bucket.expiresAtMs,
    ...(unusedBytes > sizeBytes ? { unusedBytes } : {}),
  }
  return { ...a, rollover: a.rollover.map((r) => (r.id === id ? shrunk : r)) }
}
