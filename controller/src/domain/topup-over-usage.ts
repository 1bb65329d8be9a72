/**
 * What a new top-up does with the over-usage of the moment (usage past every bucket): drawn from
 * the top-up, up to its size (compensate), or forgiven so the top-up starts whole.
 */
import type { Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { compensate, forgive } from './allowance-draw.js'
import { drawOrderOf } from './allowance-settings.js'
import { allowanceOf } from './allowance-state.js'
import type { DomainEnv } from './env.js'
import { currentPeriod } from './usage.js'
import { rollUsage } from './usage-book.js'

export async function settleOverUsage(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  topUp: TopUp,
  compensateOverUsage: boolean,
): Promise<Subscriber> {
  const plan = await tx.plans.get(sub.planId)
  if (!plan) return sub
  const period = currentPeriod(sub, env.clock.now(), env.timeZone)
  const rolled = await rollUsage(tx, sub, period, env.timeZone)
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const { allowance, buckets } = allowanceOf(rolled, plan, topUps, period, await drawOrderOf(tx, plan))
  const bucket = buckets.find((b) => b.id === topUp.id)
  if (!bucket) return rolled
  const settled = compensateOverUsage ? compensate(allowance, bucket) : forgive(allowance)
  if (settled === allowance) return rolled
  const updated: Subscriber = { ...rolled, allowance: settled }
  await tx.subscribers.update(updated)
  return updated
}
