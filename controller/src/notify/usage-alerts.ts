/**
 * Usage alerts: "80 % used", "cap reached", decided in the transaction that books the usage. The
 * key names the period and the allowance, so a repeated or replayed batch, a restart or a new agent
 * epoch never decides one again, while a top-up (a bigger allowance) lets them come again.
 */
import type { DomainEnv } from '../domain/env.js'
import { currentPeriod, limitBytes, usedBytesIn } from '../domain/usage.js'
import { DEFAULT_NOTIFY_AT_PERCENT, type Plan, type Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { queueNotification } from './queue.js'
import { subscriberFigures } from './vars.js'

export const usageAlertKey = (
  subscriberId: string,
  periodStartMs: number,
  limitBytes: number,
  percent: number,
): string => `usage/${subscriberId}/${periodStartMs}/${limitBytes}/${percent}`

/** The plan's alert percentages, ascending. */
export const alertThresholds = (plan: Plan): readonly number[] =>
  [...(plan.notifyAtPercent ?? DEFAULT_NOTIFY_AT_PERCENT)].sort((a, b) => a - b)

/** The highest threshold reached at `usedBytes` of `limitBytes`, if any: exact, never rounded. */
export function highestCrossed(
  thresholds: readonly number[],
  usedBytes: number,
  limitBytes: number,
): number | undefined {
  // Byte counts go up to 2^53: times 100 they may not be exact as numbers, so then as bigints.
  const exact = Number.isSafeInteger(usedBytes * 100) && Number.isSafeInteger(limitBytes * 100)
  const crossed = exact
    ? (h: number) => usedBytes * 100 >= limitBytes * h
    : (h: number) => BigInt(usedBytes) * 100n >= BigInt(limitBytes) * BigInt(h)
  let highest: number | undefined
  for (const h of thresholds) if (crossed(h)) highest = h
  return highest
}

/**
 * Decides the alert for the highest threshold each subscriber has reached now, unless it or a
 * higher one was decided for the same period and allowance: a batch that jumps from 40 % to 95 %
 * sends the 90 % alert only, and the 50 % one never follows it. Costs one key look-up per
 * subscriber once its alert is decided (at most 100 as it crosses), never a scan of past
 * notifications.
 */
export async function decideUsageAlerts(
  tx: Tx,
  env: DomainEnv,
  subscribers: Iterable<Subscriber>,
): Promise<number> {
  const plans = new Map<string, Plan | undefined>()
  let decided = 0
  for (const sub of subscribers) {
    // A suspended subscriber is blocked whatever they use; a deleted one is no longer a customer.
    if (sub.suspension || sub.deletedAtMs !== undefined) continue
    if (!plans.has(sub.planId)) plans.set(sub.planId, await tx.plans.get(sub.planId))
    const plan = plans.get(sub.planId)
    // Alerts must never stop usage from being booked: a subscriber without a plan is skipped.
    if (!plan) continue
    if (await decideFor(tx, env, sub, plan)) decided++
  }
  return decided
}

async function decideFor(tx: Tx, env: DomainEnv, sub: Subscriber, plan: Plan): Promise<boolean> {
  const thresholds = alertThresholds(plan)
  if (thresholds.length === 0) return false
  const topUps = await tx.topUps.forSubscriber(sub.id)
  // The figures' words (dates, sizes) are made only for an alert to decide: most batches cross nothing.
  const nowMs = env.clock.now()
  const period = currentPeriod(sub, nowMs, env.timeZone)
  const allowance = limitBytes(plan, topUps, period, nowMs, sub)
  const h = highestCrossed(thresholds, usedBytesIn(sub, period), allowance)
  if (h === undefined) return false
  const key = (p: number) => usageAlertKey(sub.id, period.startMs, allowance, p)
  // Every percentage from h up, not only the plan's: an edited plan must not bring back a lower
  // alert after a higher one. The first look-up (h itself) ends it in the usual case.
  for (let p = h; p <= 100; p++) {
    if (await tx.notifications.get(key(p))) return false
  }
  const figures = subscriberFigures(env, sub, plan, topUps)
  const event = h < 100 ? 'usage.threshold' : plan.onCap === 'block' ? 'usage.cap_reached' : 'usage.throttled'
  const queued = await queueNotification(tx, env, {
    key: key(h),
    event,
    subscriberId: sub.id,
    // `{{threshold}}` is the alert level's words; at the cap there is no level to name (data keeps it).
    vars: event === 'usage.threshold' ? { ...figures.vars, threshold: String(h) } : figures.vars,
    data: { ...figures.data, threshold: h },
  })
  return queued !== undefined
}
