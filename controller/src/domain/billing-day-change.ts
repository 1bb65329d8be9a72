/** Moving a subscriber's billing day: the current period changes at once, so usage and top-ups are re-counted in it. */
import type { BillingDay } from '@capd/protocol'
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'
import { fieldRefusal } from './refusal.js'
import { currentPeriod, validTopUps } from './usage.js'
import { reanchorUsage } from './usage-book.js'

/**
 * The subscriber with the new billing day and its usage re-counted in the period that day gives
 * (see reanchorUsage), for the caller to write. Refused while a top-up bought this period would stop counting: it was sold
 * for the period it was bought in, so the customer would lose data paid for.
 */
export async function moveBillingDay(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  billingDay: BillingDay,
): Promise<Subscriber> {
  const nowMs = env.clock.now()
  const from = currentPeriod(sub, nowMs, env.timeZone)
  const moved = { ...sub, billingDay }
  const to = currentPeriod(moved, nowMs, env.timeZone)
  // 31 and "last" give the same period in a 31-day month: nothing to re-count.
  if (to.startMs === from.startMs) return moved
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const kept = new Set(validTopUps(topUps, to, nowMs))
  const lost = validTopUps(topUps, from, nowMs).find((t) => !kept.has(t))
  if (lost) {
    const problem = `a top-up bought on ${new Date(lost.createdAtMs).toISOString().slice(0, 10)} counts in the current period and would not count in the one this billing day starts; change the billing day once the current period has ended`
    throw fieldRefusal('topup_in_period', 'billingDay', `billingDay: ${problem}`, problem)
  }
  return { ...(await reanchorUsage(tx, sub, from, to, env.timeZone)), billingDay }
}
