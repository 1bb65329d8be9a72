/**
 * The buckets of a period's allowance, in the order usage is drawn from them: rolled-over data
 * (soonest expiry first), then the plan's cap and the period's top-ups (soonest expiry first) in
 * the plan's draw order. Reversed top-ups are no bucket; expired ones stay (their used part counts).
 */
import type { DrawOrder, Plan, RolloverBucket, TopUp } from '../store/entities.js'
import type { Period } from './usage.js'

export interface Bucket {
  readonly id: string
  readonly kind: 'plan' | 'topup' | 'rollover'
  readonly sizeBytes: number
  /** Usage read at t draws from the bucket when validFromMs ≤ t < validUntilMs. */
  readonly validFromMs: number
  readonly validUntilMs: number
}

export const PLAN_BUCKET = 'plan'

export function periodBuckets(
  plan: Plan,
  topUps: readonly TopUp[],
  period: Period,
  rollover: readonly RolloverBucket[],
  order: DrawOrder,
): Bucket[] {
  const rolled: Bucket[] = [...rollover]
    .sort((a, b) => a.expiresAtMs - b.expiresAtMs || a.fromPeriodStartMs - b.fromPeriodStartMs)
    .map((r) => ({
      id: r.id,
      kind: 'rollover',
      sizeBytes: r.sizeBytes,
      validFromMs: period.startMs,
      validUntilMs: r.expiresAtMs,
    }))
  const planBucket: Bucket = {
    id: PLAN_BUCKET,
    kind: 'plan',
    sizeBytes: plan.capBytes,
    validFromMs: period.startMs,
    validUntilMs: period.endMs,
  }
  const bought: Bucket[] = topUps
    .filter(
      (t) => t.createdAtMs >= period.startMs && t.createdAtMs < period.endMs && t.reversedAtMs === undefined,
    )
    .sort((a, b) => a.expiresAtMs - b.expiresAtMs || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
    .map((t) => ({
      id: t.id,
      kind: 'topup',
      sizeBytes: t.bytes,
      validFromMs: t.createdAtMs,
      validUntilMs: Math.min(t.expiresAtMs, period.endMs),
    }))
  return order === 'topups_first' ? [...rolled, ...bought, planBucket] : [...rolled, planBucket, ...bought]
}

export const validAt = (b: Bucket, atMs: number) => b.validFromMs <= atMs && atMs < b.validUntilMs
