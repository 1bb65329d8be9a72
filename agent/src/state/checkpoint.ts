/**
 * The agent's durable state besides the journal: epoch, sequence numbers, counter baselines and
 * the last limits per subscriber (so an agent restarted while the controller is away still
 * enforces). The checkpoint file holds it whole; the state log (state-store.ts) holds what changed
 * since. Together with the journal entries after `appliedSeq` they rebuild everything.
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

/** A baseline as JSON holds it: the counter positions as decimal strings (they may pass 2^53). */
export type StoredBaseline = Omit<Baseline, 'down' | 'up'> & { down: string; up: string }

interface StoredState {
  epoch: string
  appliedSeq: number
  ackedSeq: number
  /**
   * The state log generation to replay onto this checkpoint (`state.<logGen>.log` and later ones).
   * Absent in checkpoints written before the state log existed: 0.
   */
  logGen?: number
  baselines: Record<string, StoredBaseline>
  /** Absent in state files written before it existed. */
  created?: Record<string, CreatedCounter>
  books: Record<string, Book>
}

/** A checkpoint as read: the state, the log generation it continues with, and its size on disk. */
export interface LoadedCheckpoint {
  state: AgentState
  logGen: number
  bytes: number
}

export function toStoredBaseline(b: Baseline): StoredBaseline {
  return { ...b, down: b.down.toString(), up: b.up.toString() }
}

export function fromStoredBaseline(b: StoredBaseline): Baseline {
  return { ...b, down: BigInt(b.down), up: BigInt(b.up) }
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
  return (await readCheckpoint(path))?.state
}

export async function readCheckpoint(path: string): Promise<LoadedCheckpoint | undefined> {
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
  const state: AgentState = {
    epoch: stored.epoch,
    appliedSeq: stored.appliedSeq,
    ackedSeq: stored.ackedSeq,
    baselines: new Map(Object.entries(stored.baselines).map(([id, b]) => [id, fromStoredBaseline(b)])),
    created: new Map(Object.entries(stored.created ?? {})),
    books: new Map(Object.entries(stored.books)),
  }
  return { state, logGen: stored.logGen ?? 0, bytes: Buffer.byteLength(text) }
}

/** Writes the whole state at once (atomically); `logGen` is the state log generation that follows it. */
export async function saveCheckpoint(path: string, state: AgentState, logGen = 0): Promise<number> {
  const text = JSON.stringify(storedState(state, logGen))
  await writeFileAtomic(path, text)
  return Buffer.byteLength(text)
}

function storedState(state: AgentState, logGen: number): StoredState {
  return {
    epoch: state.epoch,
    appliedSeq: state.appliedSeq,
    ackedSeq: state.ackedSeq,
    logGen,
    baselines: Object.fromEntries([...state.baselines].map(([id, b]) => [id, toStoredBaseline(b)])),
    created: Object.fromEntries(state.created),
    books: Object.fromEntries(state.books),
  }
}
