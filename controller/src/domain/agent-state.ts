/** What an agent reports it has applied at the router, for a batch of its subscribers. */
import type { State, SubscriberState } from '@capd/protocol'
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { requireLiveAgent } from './agents.js'
import { audit } from './audit.js'
import type { DomainEnv } from './env.js'
import { Refusal } from './refusal.js'

/**
 * Records every state of the batch, or (one of them not this agent's) none. Returns the states
 * recorded: a subscriber that moved away from this agent is skipped, as what its former agent
 * applied no longer says anything (it is re-synced without it).
 */
export async function recordStates(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  report: State,
): Promise<SubscriberState[]> {
  await requireLiveAgent(tx, agentId)
  const recorded: SubscriberState[] = []
  for (const state of report.subscribers) {
    if (await recordState(tx, env, agentId, state)) recorded.push(state)
  }
  return recorded
}

/** Undefined when the subscriber moved away from this agent. */
async function recordState(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  report: SubscriberState,
): Promise<{ subscriber: Subscriber; changed: boolean } | undefined> {
  const sub = await tx.subscribers.get(report.subscriberId)
  if (sub && sub.agentId !== agentId && sub.formerAgentIds?.includes(agentId)) return undefined
  if (!sub || sub.agentId !== agentId) {
    throw new Refusal(
      'foreign_subscriber',
      `subscriber ${report.subscriberId} is not enforced by agent ${agentId}`,
    )
  }
  const applied = Math.max(sub.appliedLimitVersion ?? 0, report.limitVersion)
  if (sub.state === report.state && applied === (sub.appliedLimitVersion ?? 0)) {
    return { subscriber: sub, changed: false }
  }
  const subscriber = { ...sub, state: report.state, appliedLimitVersion: applied }
  await tx.subscribers.update(subscriber)
  if (sub.state === report.state) return { subscriber, changed: false }
  await audit(tx, env, `agent:${agentId}`, 'subscriber.state', 'subscriber', sub.id, {
    from: sub.state,
    to: report.state,
    limitVersion: report.limitVersion,
    usedBytes: report.usedBytes,
  })
  return { subscriber, changed: true }
}
