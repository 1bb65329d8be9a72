/**
 * Bounds on what an agent can still book for subscribers that moved away from it. Every sync sent to
 * an agent is noted on the moves it leaves out (`excludedAtMs`); when the agent answers `synced`, it
 * has dropped them, so its journal's seq then bounds every entry it can ever have for them (`bound`).
 */
import { type AgentMove, type Subscriber, usageMarkId } from '../store/entities.js'
import type { Tx } from '../store/store.js'

/**
 * How far above the epoch's high-water mark a `synced` seq is believed. An honest agent's unsent
 * entries coalesce (one open entry per subscriber and period), so its backlog is a few entries per
 * subscriber; a larger claim is cut here so an agent cannot make the bound endless by naming a
 * huge seq.
 */
export const MAX_SYNCED_AHEAD = 10_000

/** A sync sent to an agent: when, and which subscribers it listed. */
export interface SentSync {
  readonly sentAtMs: number
  readonly given: ReadonlySet<string>
}

/** The agent's latest move away for each subscriber that is no longer on it. */
async function movedAway(tx: Tx, agentId: string): Promise<Array<{ sub: Subscriber; move: AgentMove }>> {
  const found: Array<{ sub: Subscriber; move: AgentMove }> = []
  for (const sub of await tx.subscribers.movedFrom(agentId)) {
    if (sub.agentId === agentId) continue
    const move = sub.moves?.findLast((m) => m.fromAgentId === agentId)
    if (move) found.push({ sub, move })
  }
  return found
}

async function updateMove(tx: Tx, sub: Subscriber, move: AgentMove, next: AgentMove): Promise<void> {
  const moves = (sub.moves ?? []).map((m) => (m === move ? next : m))
  await tx.subscribers.update({ ...sub, moves })
}

/** A sync leaving out every subscriber moved away from `agentId` is being sent at `nowMs`. */
export async function noteSyncSent(tx: Tx, agentId: string, nowMs: number): Promise<void> {
  for (const { sub, move } of await movedAway(tx, agentId)) {
    if (move.bound || move.excludedAtMs !== undefined) continue
    await updateMove(tx, sub, move, { ...move, excludedAtMs: nowMs })
  }
}

/**
 * The agent applied `sync` while its journal was at `seq` in `epoch`: each subscriber that had
 * moved away before it and was left out of it gets that bound, unless it has one already.
 */
export async function recordSynced(
  tx: Tx,
  agentId: string,
  sync: SentSync,
  epoch: string,
  seq: number,
): Promise<string[]> {
  const mark = (await tx.usageMarks.get(usageMarkId(agentId, epoch)))?.seq ?? 0
  const bound = { epoch, seq: Math.min(seq, mark + MAX_SYNCED_AHEAD) }
  const bounded: string[] = []
  for (const { sub, move } of await movedAway(tx, agentId)) {
    if (move.bound || move.atMs > sync.sentAtMs || sync.given.has(sub.id)) continue
    await updateMove(tx, sub, move, { ...move, bound })
    bounded.push(sub.id)
  }
  return bounded
}
