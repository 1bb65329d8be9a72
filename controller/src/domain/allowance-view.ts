/** A subscriber's buckets this period as shown: size, used, left, valid until, in draw order. */
import type { BucketView, DrawOrder, Plan, Subscriber, TopUp } from '../store/entities.js'
import { validAt } from './allowance-buckets.js'
import { drawnFrom } from './allowance-draw.js'
import { allowanceOf } from './allowance-state.js'
import { currentPeriod } from './usage.js'

const LABELS = { plan: '', topup: 'Top-up', rollover: 'Rolled over' } as const

/**
 * `order` is the plan's draw order (drawOrderOf); absent = plan first. Reversed top-ups are not
 * shown; expired ones are, with what they took before they expired.
 */
export function bucketViews(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  nowMs: number,
  timeZone: string,
  order?: DrawOrder,
): BucketView[] {
  const period = currentPeriod(sub, nowMs, timeZone)
  const { allowance, buckets } = allowanceOf(sub, plan, topUps, period, order)
  return buckets.map((b) => {
    const used = Math.min(b.sizeBytes, drawnFrom(allowance, b.id))
    const expired = !validAt(b, nowMs)
    return {
      id: b.id,
      kind: b.kind,
      label: b.kind === 'plan' ? plan.name : LABELS[b.kind],
      sizeBytes: b.sizeBytes,
      usedBytes: used,
      leftBytes: expired ? 0 : b.sizeBytes - used,
      validFromMs: b.validFromMs,
      validUntilMs: b.validUntilMs,
      expired,
      ...(b.kind === 'topup' ? { topUpId: b.id } : {}),
    }
  })
}
