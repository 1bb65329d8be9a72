/**
 * Auto top-up: the settings per subscriber, and the rule that applies them when the remaining
 * allowance falls to the trigger. The rule looks only at the books, never at what triggered it,
 * so running it twice (duplicate reports, a retry after a crash) cannot apply more than the books
 * allow: the maximum, the interval and the spend cap are counted in the same transaction.
 */

import { notifyAutoTopUpDeclined } from '../notify/money-events.js'
import type { AutoTopUp, AutoTopUpDecline, Subscriber, TopUp, TopUpPlan } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { drawOrderOf } from './allowance-settings.js'
import { audit } from './audit.js'
import { decideNext, invoiceDescription, triggerBytes } from './auto-topup-rules.js'
import { requireValidAutoTopUp } from './auto-topup-settings.js'
import type { Actor, DomainEnv } from './env.js'
import { liveSubscriber } from './live-subscriber.js'
import { requireActiveTopUpPlan } from './plans.js'
import { createTopUp } from './topups.js'
import { currentPeriod, limitBytes, usedBytesIn } from './usage.js'
import { rollUsage } from './usage-book.js'

export async function setAutoTopUp(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  subscriberId: string,
  settings: AutoTopUp,
): Promise<Subscriber> {
  requireValidAutoTopUp(settings)
  const sub = await liveSubscriber(tx, subscriberId)
  if (settings.enabled) await requireActiveTopUpPlan(tx, settings.topUpPlanId)
  const updated = { ...sub, autoTopUp: settings }
  await tx.subscribers.update(updated)
  await audit(tx, env, actor, 'auto_topup.set', 'subscriber', subscriberId, settings)
  return updated
}

/**
 * Applies the subscriber's auto top-up as often as needed (and allowed) to lift the remaining
 * bytes above the trigger. Only booked usage counts: what an agent says it applied or counted (a
 * state report) charges nobody. Declines (see decideNext) change nothing but are recorded on the
 * subscriber and audited, once per period and reason; a 'min_interval' one carries when to retry.
 */
export async function runAutoTopUp(tx: Tx, env: DomainEnv, subscriberId: string): Promise<TopUp[]> {
  let sub = await tx.subscribers.get(subscriberId)
  const settings = sub?.autoTopUp
  // Suspended: the limit blocks anyway, and charging for bytes the customer cannot use is wrong.
  if (!sub || !settings?.enabled || sub.suspension || sub.deletedAtMs !== undefined) return []
  const plan = await tx.plans.get(sub.planId)
  if (!plan) return []
  const order = await drawOrderOf(tx, plan)
  const applied: TopUp[] = []
  let declined = false
  for (;;) {
    const nowMs = env.clock.now()
    const period = currentPeriod(sub, nowMs, env.timeZone)
    // A new period nothing was booked in yet (a payment, the retrier, enabling it) starts with the
    // data that rolled over, as the enforced limit does: the remaining bytes must count it too.
    sub = await rollUsage(tx, sub, period, env.timeZone)
    const topUps = await tx.topUps.forSubscriber(sub.id)
    const pack = await onSale(tx, env, settings.topUpPlanId)
    const remaining = limitBytes(plan, topUps, period, nowMs, sub, order) - usedBytesIn(sub, period)
    if (remaining > triggerBytes(settings, topUps, period.startMs, pack)) break
    const decision = decideNext({
      settings,
      topUps,
      periodStartMs: period.startMs,
      pack,
      balance: sub.balance,
      nowMs,
    })
    if (!decision.ok) {
      sub = await noteDecline(tx, env, sub, {
        periodStartMs: period.startMs,
        reason: decision.reason,
        atMs: nowMs,
        ...(decision.retryAtMs === undefined ? {} : { retryAtMs: decision.retryAtMs }),
      })
      declined = true
      break
    }
    const result = await createTopUp(tx, env, 'system', 'auto', sub.id, {
      topUpPlanId: settings.topUpPlanId,
      chargeTo: settings.chargeTo ?? 'balance',
      ...(settings.descriptionTemplate && pack
        ? {
            description: invoiceDescription(settings.descriptionTemplate, {
              bytes: pack.bytes,
              planName: pack.name,
              subscriberName: sub.name,
            }),
          }
        : {}),
      ...(settings.compensateOverUsage === undefined
        ? {}
        : { compensateOverUsage: settings.compensateOverUsage }),
    })
    applied.push(result.topUp)
    sub = result.subscriber
  }
  // Topped up as far as needed, or nothing is needed any more (a payment, a manual top-up, a new
  // period): the pause the customer was told about is over. A run that ended in a decline keeps it.
  if (!declined && sub.autoTopUpDeclined) {
    const { autoTopUpDeclined: _, ...cleared } = sub
    await tx.subscribers.update(cleared)
  }
  return applied
}

/** The top-up plan, if it can be sold now (not retired, priced in the store's currency). */
async function onSale(tx: Tx, env: DomainEnv, id: string): Promise<TopUpPlan | undefined> {
  const pack = await tx.topUpPlans.get(id)
  if (!pack || pack.retiredAtMs !== undefined || pack.price.currency !== env.currency) return undefined
  return pack
}

async function noteDecline(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  decline: AutoTopUpDecline,
): Promise<Subscriber> {
  const last = sub.autoTopUpDeclined
  if (last?.periodStartMs === decline.periodStartMs && last.reason === decline.reason) {
    if (last.retryAtMs === decline.retryAtMs) return sub
    // The same pause with a new end (an auto top-up came in between): kept, not audited again.
    const moved = { ...sub, autoTopUpDeclined: { ...last, ...decline } }
    await tx.subscribers.update(moved)
    return moved
  }
  const updated = { ...sub, autoTopUpDeclined: decline }
  await tx.subscribers.update(updated)
  await audit(tx, env, 'system', 'auto_topup.declined', 'subscriber', sub.id, {
    reason: decline.reason,
    topUpPlanId: sub.autoTopUp?.topUpPlanId,
    balance: sub.balance,
    ...(decline.retryAtMs === undefined ? {} : { retryAt: new Date(decline.retryAtMs).toISOString() }),
  })
  await notifyAutoTopUpDeclined(tx, env, updated, decline)
  return updated
}
