/**
 * Usage an agent reported that the controller acks without booking (a subscriber it does not know
 * after a restored backup, one on another agent, usage after a move): refusing the batch would
 * stall the agent's journal for good, so it is summed per agent, reason and subscriber for
 * operators to look into. Bounded: past MAX_ROWS_PER_AGENT subscribers, the rest share one row.
 */
import { type UsageAnomaly, type UsageAnomalyReason, usageAnomalyId } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { DomainEnv } from './env.js'

export const MAX_ROWS_PER_AGENT = 100
/** The row that takes every subscriber past MAX_ROWS_PER_AGENT. */
export const OTHERS = '*'

export interface Unbooked {
  subscriberId: string
  reason: UsageAnomalyReason
  bytes: number
}

export async function recordAnomalies(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  epoch: string,
  unbooked: readonly Unbooked[],
): Promise<void> {
  if (unbooked.length === 0) return
  const sums = new Map<string, Unbooked & { entries: number }>()
  for (const u of unbooked) {
    const key = `${u.reason}/${u.subscriberId}`
    const sum = sums.get(key) ?? { ...u, bytes: 0, entries: 0 }
    sum.bytes = saturatingAdd(sum.bytes, u.bytes)
    sum.entries++
    sums.set(key, sum)
  }
  let rows = (await tx.usageAnomalies.forAgent(agentId)).length
  const nowMs = env.clock.now()
  for (const sum of sums.values()) {
    let id = usageAnomalyId(agentId, sum.reason, sum.subscriberId)
    let row = await tx.usageAnomalies.get(id)
    let subscriberId = sum.subscriberId
    if (!row && rows >= MAX_ROWS_PER_AGENT) {
      subscriberId = OTHERS
      id = usageAnomalyId(agentId, sum.reason, OTHERS)
      row = await tx.usageAnomalies.get(id)
    }
    if (row) {
      await tx.usageAnomalies.update({
        ...row,
        entries: saturatingAdd(row.entries, sum.entries),
        bytes: saturatingAdd(row.bytes, sum.bytes),
        lastAtMs: nowMs,
        lastEpoch: epoch,
      })
      continue
    }
    const fresh: UsageAnomaly = {
      id,
      agentId,
      subscriberId,
      reason: sum.reason,
      entries: sum.entries,
      bytes: sum.bytes,
      firstAtMs: nowMs,
      lastAtMs: nowMs,
      lastEpoch: epoch,
    }
    await tx.usageAnomalies.insert(fresh)
    rows++
    // Once per row (so a bounded number per agent), not once per batch.
    await audit(tx, env, `agent:${agentId}`, 'usage.unbooked', 'agent', agentId, {
      reason: sum.reason,
      subscriberId,
      epoch,
    })
  }
}

/** A hostile agent must not be able to make recording an anomaly fail (and so stall its journal). */
function saturatingAdd(a: number, b: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, a + b)
}
