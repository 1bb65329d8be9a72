/**
 * One record of the state log: the fields of the agent's state that changed since the previous
 * record, as absolute values (a book, a baseline, a sequence number), `null` for a removed key.
 * Replaying the records in order onto the checkpoint they follow gives the state of the last save.
 */
import type { CreatedCounter } from '../usage-engine.js'
import { type AgentState, type Book, fromStoredBaseline, type StoredBaseline } from './checkpoint.js'
import { TrackedMap } from './tracked-map.js'

export interface StateChange {
  epoch?: string
  appliedSeq?: number
  ackedSeq?: number
  books?: Record<string, Book | null>
  baselines?: Record<string, StoredBaseline | null>
  created?: Record<string, CreatedCounter | null>
}

/** The keys a change carries, to mark changed again if its write fails. */
export interface ChangedKeys {
  books: Set<string>
  baselines: Set<string>
  created: Set<string>
}

export function applyChange(state: AgentState, change: StateChange): void {
  if (change.epoch !== undefined) state.epoch = change.epoch
  if (change.appliedSeq !== undefined) state.appliedSeq = change.appliedSeq
  if (change.ackedSeq !== undefined) state.ackedSeq = change.ackedSeq
  applyEntries(state.books, change.books, (b) => b)
  applyEntries(state.baselines, change.baselines, fromStoredBaseline)
  applyEntries(state.created, change.created, (c) => c)
}

function applyEntries<S, V>(
  map: Map<string, V>,
  entries: Record<string, S | null> | undefined,
  value: (stored: S) => V,
): void {
  for (const [id, stored] of Object.entries(entries ?? {})) {
    if (stored === null) map.delete(id)
    else map.set(id, value(stored))
  }
}

/** Makes the state's maps tracked ones (a no-op for those that are). */
export function track(state: AgentState): void {
  if (!(state.books instanceof TrackedMap)) state.books = TrackedMap.of(state.books)
  if (!(state.baselines instanceof TrackedMap)) state.baselines = TrackedMap.of(state.baselines)
  if (!(state.created instanceof TrackedMap)) state.created = TrackedMap.of(state.created)
}

/**
 * The entries of `map` changed since the last call. A map that is not the tracked one handed out
 * before (someone replaced it) is written whole, every key of the old one it lacks as removed.
 */
export function takeEntries<V, S>(
  map: Map<string, V>,
  before: Map<string, V>,
  stored: (value: V) => S,
): { entries: Record<string, S | null> | undefined; keys: Set<string> } {
  let keys: Set<string>
  if (map === before && map instanceof TrackedMap) keys = map.takeChanged()
  else keys = new Set([...before.keys(), ...map.keys()])
  if (keys.size === 0) return { entries: undefined, keys }
  // No prototype: a subscriber id "__proto__" is a key like any other.
  const entries: Record<string, S | null> = Object.create(null)
  for (const id of keys) {
    const value = map.get(id)
    entries[id] = value === undefined ? null : stored(value)
  }
  return { entries, keys }
}
