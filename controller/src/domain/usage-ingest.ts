/**
 * Books an agent's usage batch exactly once. The batch and the agent's new high-water mark are
 * written in one transaction, so an entry is either booked with its mark or not at all: a replay,
 * a duplicate or a reordered batch at or below the mark is ignored, and the ack never runs ahead
 * of what is booked. Entries that are not the agent's to book (see usage-admission.ts) or of an
 * epoch past the agent's allowance (see agent-epochs.ts) are acked and kept as anomalies: refusing
 * the batch would only make the agent send it again forever.
 */
import { billingPeriod, drawnBytes, type Usage, type UsageEntry } from '@capd/protocol'
import { decideUsageAlerts } from '../notify/usage-alerts.js'
import { type Plan, usageMarkId } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { admitNewEpoch } from './agent-epochs.js'
import { requireLiveAgent, touchAgent } from './agents.js'
import { audit } from './audit.js'
import type { DomainEnv } from './env.js'
import { refreshLimit } from './limits.js'
import { recordRecentRates } from './recent-rate-ingest.js'
import { admitUsage } from './usage-admission.js'
import { recordAnomalies } from './usage-anomalies.js'
import { bookReadings, type Reading } from './usage-book.js'
import { drawRuleFor } from './usage-draw-rule.js'
import { bookUsageHistory } from './usage-history.js'

/** What became of a batch's entries, for the metrics. */
export interface IngestCounts {
  /** Bytes (down + up) of the entries above the high-water mark. */
  bytes: number
  booked: number
  refused: number
  /** At or below the high-water mark: booked before. */
  duplicate: number
}

export interface IngestResult {
  /** The epoch's committed high-water mark: the agent may drop its entries up to it. */
  ack: { epoch: string; seq: number }
  /** Subscribers whose usage grew. */
  subscriberIds: string[]
  /**
   * Those of them with auto top-up on as committed, for the rule's pass after the commit. One
   * turned on later runs its own pass; a batch of a thousand opens no transaction for the rest.
   */
  autoTopUpIds: string[]
  counts: IngestCounts
}

/** Nobody's usage grew: fresh lists for each result. */
const none = (): Pick<IngestResult, 'subscriberIds' | 'autoTopUpIds'> => ({
  subscriberIds: [],
  autoTopUpIds: [],
})

export async function ingestUsage(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  usage: Usage,
): Promise<IngestResult> {
  const accepted = await acceptUsage(tx, env, agentId, usage)
  if (accepted.toBook.length === 0) return { ack: accepted.ack, ...none(), counts: accepted.counts(0) }
  const booked = await bookEntries(tx, env, agentId, usage.epoch, accepted.toBook)
  return {
    ack: accepted.ack,
    subscriberIds: booked.subscriberIds,
    autoTopUpIds: booked.autoTopUpIds,
    counts: accepted.counts(booked.booked),
  }
}

/** A batch taken under the agent's high-water mark: what to book, and the ack once it is. */
export interface AcceptedUsage {
  ack: { epoch: string; seq: number }
  /** The entries above the mark of an epoch the agent may use, in seq order; each still to admit. */
  toBook: UsageEntry[]
  counts(booked: number): IngestCounts
}

/**
 * The batch's part that is the agent's alone: its entries above the epoch's high-water mark, the
 * new mark (written here), a new epoch's admission and a gap in the seqs on record. Whatever
 * books `toBook` must do so in the same transaction, or journal them (see usage-journal.ts):
 * the mark says they are taken.
 */
export async function acceptUsage(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  usage: Usage,
): Promise<AcceptedUsage> {
  let agent = await requireLiveAgent(tx, agentId)
  const markId = usageMarkId(agentId, usage.epoch)
  const mark = await tx.usageMarks.get(markId)
  const highWater = mark?.seq ?? 0
  const fresh = usage.entries.filter((e) => e.seq > highWater)
  const counts = (booked: number): IngestCounts => ({
    bytes: fresh.reduce((sum, e) => sum + e.down + e.up, 0),
    booked,
    refused: fresh.length - booked,
    duplicate: usage.entries.length - fresh.length,
  })
  if (fresh.length === 0) return { ack: { epoch: usage.epoch, seq: highWater }, toBook: [], counts }
  const seq = fresh[fresh.length - 1]!.seq
  const ack = { epoch: usage.epoch, seq }
  const actor = `agent:${agentId}`

  if (!mark) {
    const verdict = await admitNewEpoch(tx, env, agent, usage.epoch)
    if (!verdict.ok) {
      const unbooked = fresh.map((e) => ({
        subscriberId: e.subscriberId,
        reason: verdict.reason,
        bytes: e.down + e.up,
      }))
      await recordAnomalies(tx, env, agentId, usage.epoch, unbooked)
      await touchAgent(tx, env, agent)
      return { ack, toBook: [], counts }
    }
    agent = verdict.agent
  }

  const firstSeq = fresh[0]!.seq
  if (firstSeq !== highWater + 1) {
    // Entries in between were never delivered (an agent bug or a restored controller backup):
    // booking the rest beats refusing forever, and the anomaly is on record.
    await audit(tx, env, actor, 'usage.seq_gap', 'agent', agentId, {
      epoch: usage.epoch,
      expectedSeq: highWater + 1,
      receivedSeq: firstSeq,
    })
  }
  const newMark = { id: markId, agentId, epoch: usage.epoch, seq, updatedAtMs: env.clock.now() }
  if (mark) await tx.usageMarks.update(newMark)
  else await tx.usageMarks.insert(newMark)
  await touchAgent(tx, env, agent)
  return { ack, toBook: fresh, counts }
}

/** What booking an agent's entries did. */
export interface Booked {
  /** Subscribers whose usage grew. */
  subscriberIds: string[]
  /** Those of them with auto top-up on as committed (see IngestResult). */
  autoTopUpIds: string[]
  booked: number
  refused: number
}

/**
 * Books entries an agent sent under `epoch` (above its mark when accepted), in seq order: those
 * that are the agent's to book (see usage-admission.ts) are drawn from the subscribers'
 * allowances, the rest kept as anomalies. Decides the usage alerts they call for.
 */
export async function bookEntries(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  epoch: string,
  entries: readonly UsageEntry[],
): Promise<Booked> {
  const { bookable, subscribers, unbooked } = await admitUsage(tx, agentId, epoch, entries, env.clock.now())
  await recordAnomalies(tx, env, agentId, epoch, unbooked)
  // Grouped per subscriber in seq order: each reading draws from the buckets valid when it was
  // read, and each subscriber's row is written once however long the batch.
  const nowMs = env.clock.now()
  const readings = new Map<string, Reading[]>()
  const plans = new Map<string, Plan | undefined>()
  // Late usage of an ended period says nothing of how fast this period's data goes.
  const current: UsageEntry[] = []
  for (const entry of bookable) {
    await tx.breathe?.()
    const sub = subscribers.get(entry.subscriberId)!
    // Usage dated before the subscriber existed or after now is put in the nearest real period.
    const atMs = Math.max(sub.createdAtMs, Math.min(Date.parse(entry.periodStart), nowMs))
    const period = billingPeriod(atMs, sub.billingDay, env.timeZone)
    const periodStartMs = period.startMs
    // Drawn by the terms the agent enforces (direction, free hours), so both count alike.
    const rule = await drawRuleFor(tx, sub, period, env.timeZone, plans)
    const drawn = drawnBytes(rule, entry.down, entry.up, entry.atMs)
    const counted = drawnBytes({ count: rule.count }, entry.down, entry.up, entry.atMs)
    const list = readings.get(sub.id) ?? []
    list.push({ periodStartMs, atMs: entry.atMs, drawnBytes: drawn, freeBytes: counted - drawn })
    if (periodStartMs >= billingPeriod(nowMs, sub.billingDay, env.timeZone).startMs) current.push(entry)
    readings.set(sub.id, list)
  }
  await tx.readAhead?.({ topUpsOf: [...readings.keys()] })
  for (const [subscriberId, list] of readings) {
    await tx.breathe?.()
    const sub = subscribers.get(subscriberId)!
    const booked = await bookReadings(tx, env, sub, list)
    // Usage of an ended period shrinks the data rolled over from it: a new limit to push.
    const currentStartMs = billingPeriod(nowMs, sub.billingDay, env.timeZone).startMs
    const late = list.some((r) => r.periodStartMs < currentStartMs)
    subscribers.set(subscriberId, late ? await refreshLimit(tx, env, booked) : booked)
  }
  await recordRecentRates(tx, subscribers, current, nowMs)
  await tx.breathe?.()
  // Counted down/up per local hour and day, for the history charts and CSV (drawn or not).
  await bookUsageHistory(tx, env, bookable)

  await tx.breathe?.()
  // Decided with the usage that crosses a threshold: the alert and the bytes commit together.
  await decideUsageAlerts(tx, env, subscribers.values())
  return {
    subscriberIds: [...subscribers.keys()],
    autoTopUpIds: [...subscribers.values()].filter((s) => s.autoTopUp?.enabled).map((s) => s.id),
    booked: bookable.length,
    refused: unbooked.length,
  }
}
