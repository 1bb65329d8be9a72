/** The plans and agents a subscriber can be put on, for the new and edit subscriber forms. */
import type { Agent, Plan, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export interface SubscriberChoices {
  plans: Plan[]
  agents: Agent[]
}

/**
 * Plans on offer and live agents; plus, when editing, the subscriber's own plan and agent even if
 * retired or revoked (the form must show the truth, and saving it unchanged keeps them).
 */
export async function loadSubscriberChoices(tx: Tx, current?: Subscriber): Promise<SubscriberChoices> {
  return {
    plans: (await tx.plans.list()).filter((p) => p.retiredAtMs === undefined || p.id === current?.planId),
    agents: (await tx.agents.list()).filter((a) => a.revokedAtMs === undefined || a.id === current?.agentId),
  }
}
