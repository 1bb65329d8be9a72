/** Counter deltas as journal entries: each in its subscriber's current period, with the counter position it reached. */
import { drawnBytes, drawRuleOf } from '@capd/protocol'
import { rollPeriod } from './books.js'
import type { AgentState } from './state/checkpoint.js'
import type { NewDelta } from './state/journal.js'
import type { Delta } from './usage-engine.js'

/**
 * The journal entries for `deltas` read at `atMs`. A subscriber the agent holds no book for only
 * moves its baseline (nothing to book it to); a book whose period ended is rolled first, so the
 * delta lands in the period it was counted in. `recent` gets each subscriber's bytes this poll
 * that draw from the allowance (the same rule as the books), for the fast-poll decision.
 */
export function journalDeltas(
  state: AgentState,
  deltas: readonly Delta[],
  atMs: number,
  recent: Map<string, number>,
): NewDelta[] {
  const fresh: NewDelta[] = []
  for (const delta of deltas) {
    const book = state.books.get(delta.subscriberId)
    if (!book) {
      state.baselines.set(delta.subscriberId, delta.baseline)
      continue
    }
    const rolled = rollPeriod(book, atMs)
    if (rolled !== book) state.books.set(delta.subscriberId, rolled)
    const { baseline } = delta
    fresh.push({
      subscriberId: delta.subscriberId,
      periodStart: rolled.periodStart,
      down: Number(delta.down),
      up: Number(delta.up),
      atMs,
      counter: {
        id: baseline.counterId,
        boot: baseline.bootId,
        down: baseline.down.toString(),
        up: baseline.up.toString(),
        atMs: baseline.atMs,
      },
    })
    const drawn = drawnBytes(drawRuleOf(rolled.limit), Number(delta.down), Number(delta.up), atMs)
    recent.set(delta.subscriberId, drawn)
  }
  return fresh
}
