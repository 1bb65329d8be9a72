/**
 * What the usage batches booked in one transaction will read, asked for in one statement per table
 * before the first is booked. Each batch reads ahead for itself as well (see ingestUsage), but a
 * usage lane's transaction holds up to a thousand entries of many agents' batches: on PostgreSQL,
 * ten batches of a hundred would otherwise each pay their own round trips for their agent, their
 * mark, their subscribers, their top-ups and their day rows. Rows read this way are rows the
 * transaction would read anyway, but for entries that turn out to be duplicates or not the agent's.
 */
import type { Usage } from '@capd/protocol'
import { usageMarkId } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'
import { usageDayIds } from './usage-history.js'

export interface UsageBatch {
  readonly agentId: string
  readonly usage: Usage
}

export async function readAheadForUsage(
  tx: Tx,
  env: DomainEnv,
  batches: readonly UsageBatch[],
): Promise<void> {
  if (!tx.readAhead) return
  const entries = batches.flatMap((b) => b.usage.entries)
  const subscriberIds = [...new Set(entries.map((e) => e.subscriberId))]
  const marks = {
    agents: [...new Set(batches.map((b) => b.agentId))],
    usageMarks: batches.map((b) => usageMarkId(b.agentId, b.usage.epoch)),
  }
  // A journalled batch reads its agent and mark; its fold reads the rest (see usage-fold.ts).
  if (tx.usageJournal) return tx.readAhead(marks)
  await tx.readAhead({
    ...marks,
    subscribers: subscriberIds,
    topUpsOf: subscriberIds,
    usageDays: usageDayIds(env, entries),
  })
}
