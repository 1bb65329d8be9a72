/** What an agent reports it has applied at the router for one subscriber. */
import type { State } from '@capd/protocol'
import { ApiError } from '../errors.js'
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { requireLiveAgent } from './agents.js'
import { audit } from './audit.js'
import type { DomainEnv } from './env.js'

export async function recordState(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  report: State,
): Promise<{ subscriber: Subscriber; changed: boolean }> {
  await requireLiveAgent(tx, agentId)
  const sub = await tx.subscribers.get(report.subscriberId)
  if (!sub || sub.agentId !== agentId) {
    throw new ApiError(
      403,
      'foreign_subscriber',
      `subscriber ${report.subscriberId} is not enforced by agent ${agentId}`,
    )
  }
  if (sub.state === report.state) return { subscriber: sub, changed: false }
  const subscriber = { ...sub, state: report.state }
  await tx.subscribers.update(subscriber)
  await audit(tx, env, `agent:${agentId}`, 'subscriber.state', 'subscriber', sub.id, {
    from: sub.state,
    to: report.state,
    limitVersion: report.limitVersion,
    usedBytes: report.usedBytes,
  })
  return { subscriber, changed: true }
}
