/**
 * Usage taken into a store's journal (see Tx.usageJournal) and booked after the ack. Taking a batch
 * costs a few rows whatever it holds; booking it costs a read and a write of every subscriber in
 * it. Acked once journalled, an agent's batch no longer waits for the books, and a subscriber
 * whose entries piled up while the books were busy is booked once for all of them.
 *
 * Nothing is booked twice: an entry leaves the journal in the transaction that books it, and that
 * transaction fails if another took any of its entries first (JournalRaced). Nothing is lost: the
 * journal row commits with the mark that lets the agent drop the entry.
 */
import type { Usage, UsageEntry } from '@capd/protocol'
import type { JournalledUsage, Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'
import { recordAnomalies } from './usage-anomalies.js'
import { usageDayIds } from './usage-history.js'
import { acceptUsage, bookEntries, type IngestResult, ingestUsage } from './usage-ingest.js'

/**
 * Takes an agent's batch: into the journal where the store keeps one, else booked at once
 * (ingestUsage). A journalled batch names no subscribers: its fold does (see foldUsage).
 */
export async function takeUsage(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  usage: Usage,
): Promise<IngestResult> {
  if (!tx.usageJournal) return ingestUsage(tx, env, agentId, usage)
  const accepted = await acceptUsage(tx, env, agentId, usage)
  await tx.usageJournal.append(agentId, usage.epoch, accepted.toBook)
  // Booked or refused when folded; refused now only what a new epoch's admission turned away.
  const counts = { ...accepted.counts(accepted.toBook.length), booked: 0 }
  return { ack: accepted.ack, subscriberIds: [], autoTopUpIds: [], counts }
}

/** Another transaction took entries this fold read (a second controller folding): read again. */
export class JournalRaced extends Error {
  override readonly name = 'JournalRaced'
}

export interface Fold {
  /** Subscribers whose usage grew. */
  subscriberIds: string[]
  /** Those of them with auto top-up on as committed. */
  autoTopUpIds: string[]
  booked: number
  refused: number
}

/**
 * Books journalled entries and takes them out of the journal, in one transaction. Each agent's
 * entries are booked in its seq order, whatever order they reached the journal in.
 */
export async function foldUsage(tx: Tx, env: DomainEnv, rows: readonly JournalledUsage[]): Promise<Fold> {
  const removed = await tx.usageJournal!.remove(rows.map((r) => r.ord))
  if (removed !== rows.length)
    throw new JournalRaced(`${rows.length - removed} journalled batches were booked meanwhile`)
  const groups = new Map<string, { agentId: string; epoch: string; entries: UsageEntry[] }>()
  for (const r of rows) {
    const key = JSON.stringify([r.agentId, r.epoch])
    const group = groups.get(key) ?? { agentId: r.agentId, epoch: r.epoch, entries: [] }
    group.entries.push(...r.entries)
    groups.set(key, group)
  }
  const entries = rows.flatMap((r) => r.entries)
  const subscriberIds = [...new Set(entries.map((e) => e.subscriberId))]
  await tx.readAhead?.({
    subscribers: subscriberIds,
    topUpsOf: subscriberIds,
    usageDays: usageDayIds(env, entries),
  })
  const fold: Fold = { subscriberIds: [], autoTopUpIds: [], booked: 0, refused: 0 }
  const grew = new Set<string>()
  const rule = new Set<string>()
  for (const { agentId, epoch, entries: list } of groups.values()) {
    list.sort((a, b) => a.seq - b.seq)
    const booked = await bookEntries(tx, env, agentId, epoch, list)
    for (const id of booked.subscriberIds) grew.add(id)
    for (const id of booked.autoTopUpIds) rule.add(id)
    fold.booked += booked.booked
    fold.refused += booked.refused
  }
  fold.subscriberIds = [...grew]
  fold.autoTopUpIds = [...rule]
  return fold
}

/**
 * Takes a batch the books refuse out of the journal (a count that would pass the largest they
 * keep, or a fault that fails it every time): its entries are kept as anomalies of the agent,
 * as usage acked and not booked always is, and the batches behind it are booked again.
 */
export async function setAside(tx: Tx, env: DomainEnv, row: JournalledUsage): Promise<void> {
  if ((await tx.usageJournal!.remove([row.ord])) !== 1)
    throw new JournalRaced('the batch was booked meanwhile')
  const unbooked = row.entries.map((e) => ({
    subscriberId: e.subscriberId,
    reason: 'not_bookable' as const,
    bytes: e.down + e.up,
  }))
  await recordAnomalies(tx, env, row.agentId, row.epoch, unbooked)
}
