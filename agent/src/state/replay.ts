/**
 * Rebuilding and moving the agent's state: journal entries into books and baselines, and the
 * record of counters the agent had the router create, from their creation until a baseline is taken.
 */
import { drawnBytes, drawRuleOf } from '@capd/protocol'
import type { AgentState } from './checkpoint.js'
import type { JournalRecord } from './journal.js'

/** Applies journal records to the state: usage into the books, counter positions into the baselines. */
export function replay(state: AgentState, records: readonly JournalRecord[]): void {
  for (const entry of records) {
    if (entry.n <= state.appliedSeq) continue
    const c = entry.counter
    forgetCreated(state, entry.subscriberId, c.id)
    state.baselines.set(entry.subscriberId, {
      counterId: c.id,
      bootId: c.boot,
      down: BigInt(c.down),
      up: BigInt(c.up),
      atMs: c.atMs,
    })
    const book = state.books.get(entry.subscriberId)
    if (book && book.periodStart === entry.periodStart) {
      const drawn = drawnBytes(drawRuleOf(book.limit), entry.down, entry.up, entry.atMs)
      state.books.set(entry.subscriberId, { ...book, usedBytes: book.usedBytes + drawn })
    }
    state.appliedSeq = entry.n
  }
}

/** Drops the record of created counters once a baseline of another counter than the replaced one is taken. */
export function forgetCreated(state: AgentState, subscriberId: string, counterId: string): void {
  if (state.created.get(subscriberId)?.replaces !== counterId) state.created.delete(subscriberId)
}

/**
 * Records that the router is about to create these subscribers' counters (at zero) as of `nowMs`.
 * A creation already recorded against the same counter keeps its earlier time: a batch that
 * failed may still have run.
 */
export function noteCreated(state: AgentState, subscriberIds: readonly string[], nowMs: number): void {
  for (const id of subscriberIds) {
    const replaces = state.baselines.get(id)?.counterId
    const known = state.created.get(id)
    if (known && known.replaces === replaces) continue
    state.created.set(id, { atMs: nowMs, ...(replaces === undefined ? {} : { replaces }) })
  }
}
