/**
 * Auto top-up: the settings per subscriber, and the rule that applies them when the remaining
 * allowance falls to the threshold. The rule looks only at the books, never at what triggered
 * it, so running it twice (duplicate reports, a retry after a crash) cannot apply more than the
 * books allow: at most `maxPerPeriod` per billing period, counted in the same transaction.
 */

import { notifyAutoTopUpDeclined } from '../notify/money-events.js'
import type { AutoTopUp, AutoTopUpDecline, Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { liveSubscriber } from './live-subscriber.js'
import { requireActiveTopUpPlan } from './plans.js'
import { createTopUp } from './topups.js'
import { currentPeriod, limitBytes, type Period, usedBytesIn } from './usage.js'

export async function setAutoTopUp(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  subscriberId: string,
  settings: AutoTopUp,
): Promise<Subscriber> {
  const sub = await liveSubscriber(tx, subscriberId)
  if (settings.enabled) await requireActiveTopUpPlan(tx, settings.topUpPlanId)
  const updated = { ...sub, autoTopUp: settings }
  await tx.subscribers.update(updated)
  await audit(tx, env, actor, 'auto_topup.set', 'subscriber', subscriberId, settings)
  return updated
}

/**
 * Applies the subscriber's auto top-up as often as needed (and allowed) to lift the remaining
 * bytes above the threshold, charged to the balance. Only booked usage counts: what an agent says
 * it applied or counted (a state report) charges nobody. Declines (no funds, the period's maximum
 * reached, the top-up plan withdrawn) change nothing but are audited, once per period and reason.
 */
export async function runAutoTopUp(tx: Tx, env: DomainEnv, subscriberId: string): Promise<TopUp[]> {
  let sub = await tx.subscribers.get(subscriberId)
  const settings = sub?.autoTopUp
  // Suspended: the limit blocks anyway, and charging for bytes the customer cannot use is wrong.
  if (!sub || !settings?.enabled || sub.suspension || sub.deletedAtMs !== undefined) return []
  const plan = await tx.plans.get(sub.planId)
  if (!plan) return []
  const applied: TopUp[] = []
  for (;;) {
    const nowMs = env.clock.now()
    const period = currentPeriod(sub, nowMs, env.timeZone)
    const topUps = await tx.topUps.forSubscriber(sub.id)
    const usedBytes = usedBytesIn(sub, period)
    const remaining = limitBytes(plan, topUps, period, nowMs, sub) - usedBytes
    if (remaining > (settings.thresholdBytes ?? 0)) break
    const reason = await declineReason(tx, env, sub, settings, topUps, period)
    if (reason) {
      sub = await noteDecline(tx, env, sub, { periodStartMs: period.startMs, reason })
      break
    }
    const result = await createTopUp(tx, env, 'system', 'auto', sub.id, {
      topUpPlanId: settings.topUpPlanId,
      chargeTo: 'balance',
    })
    applied.push(result.topUp)
    sub = result.subscriber
  }
  if (applied.length > 0 && sub.autoTopUpDeclined) {
    const { autoTopUpDeclined: _, ...cleared } = sub
    await tx.subscribers.update(cleared)
  }
  return applied
}

async function declineReason(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  settings: AutoTopUp,
  topUps: readonly TopUp[],
  period: Period,
): Promise<AutoTopUpDecline['reason'] | undefined> {
  const autoThisPeriod = topUps.filter((t) => t.source === 'auto' && t.periodStartMs === period.startMs)
  if (autoThisPeriod.length >= settings.maxPerPeriod) return 'max_per_period'
  const pack = await tx.topUpPlans.get(settings.topUpPlanId)
  if (!pack || pack.retiredAtMs !== undefined || pack.price.currency !== env.currency)
    return 'plan_unavailable'
  if (sub.balance.amount < pack.price.amount) return 'insufficient_balance'
  return undefined
}

async function noteDecline(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  decline: AutoTopUpDecline,
): Promise<Subscriber> {
  const last = sub.autoTopUpDeclined
  if (last?.periodStartMs === decline.periodStartMs && last.reason === decline.reason) return sub
  const updated = { ...sub, autoTopUpDeclined: decline }
  await tx.subscribers.update(updated)
  await audit(tx, env, 'system', 'auto_topup.declined', 'subscriber', sub.id, {
    reason: decline.reason,
    topUpPlanId: sub.autoTopUp?.topUpPlanId,
    balance: sub.balance,
  })
  await notifyAutoTopUpDeclined(tx, env, updated, decline)
  return updated
}
