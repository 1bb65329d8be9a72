/**
 * The agent's durable state besides the journal: epoch, sequence numbers, counter baselines and
 * the last limits per subscriber (so an agent restarted while the controller is away still
 * enforces). Together with the journal entries after `appliedSeq` it rebuilds everything.
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { SubscriberLimit } from '@capd/protocol'
import type { EnforcementState } from '../drivers/driver.js'
import type { Baseline, CreatedCounter } from '../usage-engine.js'
import { writeFileAtomic } from './atomic-file.js'

/** One subscriber as the agent knows it: the controller's limit and the agent's own usage count. */
export interface Book {
  limit: SubscriberLimit
  /** Current period as the agent counts it (moves on by itself at periodEnd if the controller is away). */
  periodStart: string
  periodEnd: string
  usedBytes: number
  /** The router's own quota ran out (the counters may stop just short of the limit). */
  quotaSpent?: boolean
  /** What was last applied at the router and reported. */
  applied: EnforcementState
}

export interface AgentState {
  /** Random id of this journal's life: a wiped agent starts a new one instead of reusing seqs. */
  epoch: string
  /** Journal records up to this number (their `n`) are reflected in `baselines` and `books`. */
  appliedSeq: number
  ackedSeq: number
  baselines: Map<string, Baseline>
  /**
   * Counters the router was told to create and no baseline has been taken of yet. Written before
   * the change that creates them, so an agent killed before it books their first bytes still
   * counts them from zero after a restart.
   */
  created: Map<string, CreatedCounter>
  books: Map<string, Book>
}

interface StoredState {
  epoch: string
  appliedSeq: number
  ackedSeq: number
  baselines: Record<string, Omit<Baseline, 'down' | 'up'> & { down: string; up: string }>
  /** Absent in state files written before it existed. */
  created?: Record<string, CreatedCounter>
  books: Record<string, Book>
}

export function freshState(): AgentState {
  return {
    epoch: randomUUID().replaceAll('-', ''),
    appliedSeq: 0,
    ackedSeq: 0,
    baselines: new Map(),
    created: new Map(),
    books: new Map(),
  }
}

export async function loadCheckpoint(path: string): Promise<AgentState | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let stored: StoredState
  try {
    stored = JSON.parse(text) as StoredState
  } catch (err) {
    throw new Error(
      `agent state ${path} does not parse (${(err as Error).message}); move it aside to start a new epoch`,
    )
  }
  return {
    epoch: stored.epoch,
    appliedSeq: stored.appliedSeq,
    ackedSeq: stored.ackedSeq,
    baselines: new Map(
      Object.entries(stored.baselines).map(([id, b]) => [
        id,
        { ...b, down: BigInt(b.down), up: BigInt(b.up) },
      ]),
    ),
    created: new Map(Object.entries(stored.created ?? {})),
    books: new Map(Object.entries(stored.books)),
  }
}

export async function saveCheckpoint(path: string, state: AgentState): Promise<void> {
  const stored: StoredState = {
    epoch: state.epoch,
    appliedSeq: state.appliedSeq,
    ackedSeq: state.ackedSeq,
    baselines: Object.fromEntries(
      [...state.baselines].map(([id, b]) => [id, { ...b, down: b.down.toString(), up: b.up.toString() }]),
    ),
    created: Object.fromEntries(state.created),
    books: Object.fromEntries(state.books),
  }
  await writeFileAtomic(path, JSON.stringify(stored))
}
