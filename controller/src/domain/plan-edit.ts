/** A plan edit as the API and the operator pages make it: the edit, then auto top-up for its subscribers. */
import type { Logger } from '@capd/log'
import type { Plan } from '../store/entities.js'
import type { Store } from '../store/store.js'
import { autoTopUpPass } from './auto-topup-pass.js'
import type { Actor, DomainEnv } from './env.js'
import { type PlanChanges, updatePlan } from './plans.js'

/**
 * A smaller cap may leave a subscriber at its auto top-up trigger, blocked and so sending no usage
 * that would run the rule: it runs here, in its own transaction after the edit commits, so a
 * billing problem never undoes the edit (it is logged).
 */
export async function editPlan(
  store: Store,
  env: DomainEnv,
  actor: Actor,
  id: string,
  changes: PlanChanges,
  logger: Logger,
): Promise<Plan> {
  const { plan, subscriberIds } = await store.transact((tx) => updatePlan(tx, env, actor, id, changes))
  try {
    await autoTopUpPass(store, env, subscriberIds)
  } catch (err) {
    logger.error({ err, planId: id }, 'auto top-up after a plan edit failed')
  }
  return plan
}
