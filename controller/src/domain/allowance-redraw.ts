/** Putting a subscriber's draws right after its buckets changed under them (a reversal, a plan edit). */
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { redraw } from './allowance-draw.js'
import { drawOrderOf } from './allowance-settings.js'
import { allowanceOf } from './allowance-state.js'
import type { DomainEnv } from './env.js'
import { currentPeriod } from './usage.js'

/**
 * Bytes drawn from a bucket that is gone (a reversed top-up) or past a bucket's size (a smaller
 * cap) go back to the other buckets in order, read now, or become over-usage: the next top-up
 * then settles them as its settings say.
 */
export async function redrawAllowance(tx: Tx, env: DomainEnv, sub: Subscriber): Promise<Subscriber> {
  const plan = await tx.plans.get(sub.planId)
  const nowMs = env.clock.now()
  const period = currentPeriod(sub, nowMs, env.timeZone)
  if (!plan || sub.usagePeriodStartMs !== period.startMs) return sub
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const { allowance, buckets } = allowanceOf(sub, plan, topUps, period, await drawOrderOf(tx, plan))
  const redrawn = redraw(allowance, buckets, nowMs)
  if (redrawn === allowance && redrawn === sub.allowance) return sub
  const updated: Subscriber = { ...sub, allowance: redrawn }
  await tx.subscribers.update(updated)
  return updated
}
