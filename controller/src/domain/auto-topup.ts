/** Auto top-up settings per subscriber (the trigger itself runs on the agent's usage reports). */
import { notFound } from '../errors.js'
import type { AutoTopUp, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { requireActiveTopUpPlan } from './plans.js'

export async function setAutoTopUp(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  subscriberId: string,
  settings: AutoTopUp,
): Promise<Subscriber> {
  const sub = await tx.subscribers.get(subscriberId)
  if (!sub) throw notFound('subscriber', subscriberId)
  if (settings.enabled) await requireActiveTopUpPlan(tx, settings.topUpPlanId)
  const updated = { ...sub, autoTopUp: settings }
  await tx.subscribers.update(updated)
  await audit(tx, env, actor, 'auto_topup.set', 'subscriber', subscriberId, settings)
  return updated
}
