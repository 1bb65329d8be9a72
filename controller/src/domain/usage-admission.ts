/**
 * Which entries of an agent's usage batch are its to book. Its own subscribers', always. A former
 * agent's (the subscriber moved away) only under an epoch it had before the move and only dated
 * up to MOVE_GRACE_MS after it: that is usage it counted before it learned of the move, while
 * anything later is either counted again by the new agent or made up. Everything else is acked
 * without being booked, as an anomaly (see usage-anomalies.ts).
 */
import type { UsageEntry } from '@capd/protocol'
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { Unbooked } from './usage-anomalies.js'

/**
 * How long after a move the old agent's entries are still its usage. A connected agent drops the
 * subscriber within a second (the re-sync follows the commit); the grace covers the poll that was
 * under way (at most 60 s) and a few minutes of clock difference between agent and controller,
 * while limiting what an agent can book for a subscriber it lost to 5 minutes of traffic.
 */
export const MOVE_GRACE_MS = 5 * 60_000

export interface Admission {
  bookable: UsageEntry[]
  subscribers: Map<string, Subscriber>
  unbooked: Unbooked[]
}

export async function admitUsage(
  tx: Tx,
  agentId: string,
  epoch: string,
  entries: readonly UsageEntry[],
): Promise<Admission> {
  const seen = new Map<string, Subscriber | null>()
  const admission: Admission = { bookable: [], subscribers: new Map(), unbooked: [] }
  for (const entry of entries) {
    if (!seen.has(entry.subscriberId))
      seen.set(entry.subscriberId, (await tx.subscribers.get(entry.subscriberId)) ?? null)
    const sub = seen.get(entry.subscriberId) ?? undefined
    const refusal = !sub ? 'unknown_subscriber' : whyNot(sub, agentId, epoch, entry)
    if (refusal) {
      admission.unbooked.push({
        subscriberId: entry.subscriberId,
        reason: refusal,
        bytes: entry.down + entry.up,
      })
      continue
    }
    admission.bookable.push(entry)
    admission.subscribers.set(sub!.id, sub!)
  }
  return admission
}

function whyNot(
  sub: Subscriber,
  agentId: string,
  epoch: string,
  entry: UsageEntry,
): 'foreign_subscriber' | 'moved_away' | undefined {
  if (sub.agentId === agentId) return undefined
  if (!sub.formerAgentIds?.includes(agentId)) return 'foreign_subscriber'
  const move = sub.moves?.findLast((m) => m.fromAgentId === agentId)
  if (move?.epochs.includes(epoch) && entry.atMs <= move.atMs + MOVE_GRACE_MS) return undefined
  return 'moved_away'
}
