/**
 * Which entries of an agent's usage batch are its to book. Its own subscribers', always. A former
 * agent's (the subscriber moved away) only under an epoch it had before the move, and only what it
 * journalled before it dropped the subscriber: up to the seq it gave in `synced` (see
 * move-bounds.ts). Until it has said so, entries dated up to MOVE_GRACE_MS after the move, but only
 * for SYNCED_WAIT_MS after the first sync without the subscriber was sent; after that, nothing new
 * (its high-water mark is the bound). Anything later is either counted again by the new agent or
 * made up, and the dates are the agent's own claim, so only seqs bound it. Everything else is acked
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

/**
 * How long an agent has to answer `synced` to the first sync without a subscriber that moved away.
 * An agent that never answers (an older one) keeps what it booked by then and books nothing more.
 */
export const SYNCED_WAIT_MS = 10 * 60_000

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
  nowMs: number,
): Promise<Admission> {
  const seen = new Map<string, Subscriber | null>()
  const admission: Admission = { bookable: [], subscribers: new Map(), unbooked: [] }
  await tx.readAhead?.({ subscribers: [...new Set(entries.map((e) => e.subscriberId))] })
  for (const entry of entries) {
    if (!seen.has(entry.subscriberId))
      seen.set(entry.subscriberId, (await tx.subscribers.get(entry.subscriberId)) ?? null)
    const sub = seen.get(entry.subscriberId) ?? undefined
    const refusal = !sub ? 'unknown_subscriber' : whyNot(sub, agentId, epoch, entry, nowMs)
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
  nowMs: number,
): 'foreign_subscriber' | 'moved_away' | undefined {
  if (sub.agentId === agentId) return undefined
  if (!sub.formerAgentIds?.includes(agentId)) return 'foreign_subscriber'
  const move = sub.moves?.findLast((m) => m.fromAgentId === agentId)
  if (!move?.epochs.includes(epoch)) return 'moved_away'
  // Entries of another epoch than the bound's, or past the wait, are all above the high-water mark
  // (ingest books nothing at or below it), so none of them is bookable.
  if (move.bound) return epoch === move.bound.epoch && entry.seq <= move.bound.seq ? undefined : 'moved_away'
  if (nowMs > (move.excludedAtMs ?? move.atMs) + SYNCED_WAIT_MS) return 'moved_away'
  return entry.atMs <= move.atMs + MOVE_GRACE_MS ? undefined : 'moved_away'
}
