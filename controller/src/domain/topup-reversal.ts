/**
 * Taking a top-up's data back. A top-up counts as *unused* while the subscriber's remaining data in
 * the current period (limit − used) is at least its bytes: removing it leaves the subscriber within
 * the limit, whichever bucket the usage was drawn from (its draws go back to the other buckets).
 * Only a top-up of the current period, not expired and not already reversed, has data to take back.
 */
import type { Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { redrawAllowance } from './allowance-redraw.js'
import type { DomainEnv } from './env.js'
import { refreshLimit } from './limits.js'
import { currentPeriod, usageView, validTopUps } from './usage.js'

export type TopUpData = 'counts_unused' | 'counts_used' | 'not_counted'

/** Whether a top-up still adds to the limit now, and if so whether its data is unused. */
export async function topUpData(tx: Tx, env: DomainEnv, topUp: TopUp): Promise<TopUpData> {
  const sub = await tx.subscribers.get(topUp.subscriberId)
  const plan = sub && (await tx.plans.get(sub.planId))
  if (!sub || !plan) return 'not_counted'
  const nowMs = env.clock.now()
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const period = currentPeriod(sub, nowMs, env.timeZone)
  if (!validTopUps([topUp], period, nowMs).length) return 'not_counted'
  const { remainingBytes } = usageView(sub, plan, topUps, nowMs, env.timeZone)
  return remainingBytes >= topUp.bytes ? 'counts_unused' : 'counts_used'
}

/** Whether the top-up was bought in the subscriber's current billing period. */
export async function inCurrentPeriod(tx: Tx, env: DomainEnv, topUp: TopUp): Promise<boolean> {
  const sub = await tx.subscribers.get(topUp.subscriberId)
  if (!sub) return false
  const period = currentPeriod(sub, env.clock.now(), env.timeZone)
  return topUp.createdAtMs >= period.startMs && topUp.createdAtMs < period.endMs
}

/**
 * Marks the top-up reversed and lowers the limit in the same transaction: the new limit version is
 * pushed to the agent once it commits (the top-up row's write names the subscriber).
 */
export async function removeTopUpData(tx: Tx, env: DomainEnv, topUp: TopUp): Promise<TopUp> {
  // A reversed top-up is no bucket: what was drawn from it is drawn again from the others.
  const reversed: TopUp = { ...topUp, reversedAtMs: env.clock.now() }
  await tx.topUps.update(reversed)
  const sub: Subscriber | undefined = await tx.subscribers.get(topUp.subscriberId)
  if (sub) await refreshLimit(tx, env, await redrawAllowance(tx, env, sub))
  return reversed
}
