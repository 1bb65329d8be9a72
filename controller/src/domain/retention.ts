/**
 * What the controller forgets after the retention (`--retention-days`, default 400): audit rows,
 * usage anomalies, the usage marks of agent journal epochs idle that long (never an agent's
 * current one) and the personal data of subscribers deleted that long ago (see
 * subscriber-deletion.ts), and the delivery log's messages (see notify/delivery-retention.ts). A
 * forgotten epoch is remembered as retired on its agent, so a replay of it is still never booked
 * twice. Bills, payments and past usage are kept: they are the books. Usage history keeps its own
 * fixed retention (see usage-history-retention.ts).
 */
import { pruneDeliveries } from '../notify/delivery-retention.js'
import type { UsageMark } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { retireEpochs } from './agent-epochs.js'
import type { DomainEnv } from './env.js'
import { eraseDeleted } from './subscriber-deletion.js'
import { pruneUsageHistory } from './usage-history-retention.js'

export const DEFAULT_RETENTION_DAYS = 400

export async function pruneRetained(tx: Tx, env: DomainEnv, retentionMs: number): Promise<void> {
  const beforeMs = env.clock.now() - retentionMs
  await tx.audit.prune(beforeMs)
  await eraseDeleted(tx, env, beforeMs)
  await pruneDeliveries(tx, env.clock.now(), retentionMs)
  await pruneUsageHistory(tx, env)
  for (const anomaly of await tx.usageAnomalies.list()) {
    if (anomaly.lastAtMs < beforeMs) await tx.usageAnomalies.delete(anomaly.id)
  }
  const idle = new Map<string, UsageMark[]>()
  for (const mark of await tx.usageMarks.list()) {
    if (mark.updatedAtMs >= beforeMs) continue
    idle.set(mark.agentId, [...(idle.get(mark.agentId) ?? []), mark])
  }
  for (const [agentId, marks] of idle) {
    const agent = await tx.agents.get(agentId)
    if (!agent) continue
    await retireEpochs(
      tx,
      agent,
      marks.filter((m) => m.epoch !== agent.epoch),
    )
  }
}
