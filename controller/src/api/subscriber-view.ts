/** Loads what a subscriber's API view needs: its plan and top-ups, for the usage, limit and buckets. */
import { allowanceJson, allowanceShown } from '../domain/allowance-shown.js'
import type { DomainEnv } from '../domain/env.js'
import { usageView } from '../domain/usage.js'
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { subscriberView } from './views.js'

export async function loadSubscriberView(tx: Tx, env: DomainEnv, sub: Subscriber) {
  const plan = await tx.plans.get(sub.planId)
  if (!plan) throw new Error(`subscriber ${sub.id} refers to missing plan ${sub.planId}`)
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const nowMs = env.clock.now()
  return subscriberView(
    sub,
    usageView(sub, plan, topUps, nowMs, env.timeZone),
    allowanceJson(allowanceShown(sub, plan, topUps, nowMs, env.timeZone)),
  )
}
