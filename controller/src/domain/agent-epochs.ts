/**
 * How many journal epochs an agent may have: each has a usage mark, kept so that a replay of it is
 * recognised. A legitimate agent mints a new epoch only when its state is wiped, so a handful is
 * plenty; at MAX_LIVE_EPOCHS the oldest mark idle for EPOCH_IDLE_MS (never the agent's current one)
 * is retired to make room. A retired epoch's usage is never booked again (its id is remembered).
 */
import type { Agent, UsageMark } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'

export const MAX_LIVE_EPOCHS = 8
export const EPOCH_IDLE_MS = 7 * 86_400_000
/** How many retired epoch ids an agent row remembers. */
export const MAX_RETIRED_EPOCHS = 64

export type EpochVerdict = { ok: true; agent: Agent } | { ok: false; reason: 'epoch_limit' | 'epoch_retired' }

/** Whether `epoch` (which has no usage mark yet) may start booking for `agent`. */
export async function admitNewEpoch(
  tx: Tx,
  env: DomainEnv,
  agent: Agent,
  epoch: string,
): Promise<EpochVerdict> {
  if (agent.retiredEpochs?.includes(epoch)) return { ok: false, reason: 'epoch_retired' }
  const marks = await marksOf(tx, agent.id)
  if (marks.length < MAX_LIVE_EPOCHS) return { ok: true, agent }
  const idleBeforeMs = env.clock.now() - EPOCH_IDLE_MS
  const idle = marks
    .filter((m) => m.updatedAtMs < idleBeforeMs && m.epoch !== agent.epoch)
    .sort((a, b) => a.updatedAtMs - b.updatedAtMs || a.id.localeCompare(b.id))
    .slice(0, marks.length - MAX_LIVE_EPOCHS + 1)
  if (marks.length - idle.length >= MAX_LIVE_EPOCHS) return { ok: false, reason: 'epoch_limit' }
  return { ok: true, agent: await retireEpochs(tx, agent, idle) }
}

/** Forgets these marks, remembering their epochs on the agent so they never book again. */
export async function retireEpochs(tx: Tx, agent: Agent, marks: readonly UsageMark[]): Promise<Agent> {
  if (marks.length === 0) return agent
  for (const mark of marks) await tx.usageMarks.delete(mark.id)
  const retiredEpochs = [...(agent.retiredEpochs ?? []), ...marks.map((m) => m.epoch)].slice(
    -MAX_RETIRED_EPOCHS,
  )
  const updated = { ...agent, retiredEpochs }
  await tx.agents.update(updated)
  return updated
}

/** The agent's usage marks (one per epoch it booked under). */
export async function marksOf(tx: Tx, agentId: string): Promise<UsageMark[]> {
  return tx.usageMarks.forAgent(agentId)
}

/** The epochs an agent has used: those it booked under and the one of its last hello. */
export async function epochsOf(tx: Tx, agentId: string): Promise<string[]> {
  const agent = await tx.agents.get(agentId)
  const epochs = (await marksOf(tx, agentId)).map((m) => m.epoch)
  if (agent?.epoch && !epochs.includes(agent.epoch)) epochs.push(agent.epoch)
  return epochs
}
