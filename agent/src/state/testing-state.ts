/** Random changes to an agent's state and a plain view of it, for the state store's tests. */
import type { AgentState, Book } from './checkpoint.js'

/** Ids a store must keep apart, including one that is special to plain JS objects. */
export const SUBSCRIBER_IDS = ['sub_a', 'sub_b', 'sub_c', 'sub_d', 'sub_e', 'sub_f', '__proto__', 'süb ü']

export function book(subscriberId: string, limitVersion: number, usedBytes: number): Book {
  return {
    limit: {
      subscriberId,
      address: '10.0.0.1',
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-12-01T00:00:00.000Z',
      limitBytes: 10_000_000_000,
      usedBytes: 0,
      limitVersion,
      onCap: 'block',
    },
    periodStart: '2026-11-01T00:00:00.000Z',
    periodEnd: '2026-12-01T00:00:00.000Z',
    usedBytes,
    applied: limitVersion % 3 === 0 ? 'blocked' : 'open',
  }
}

/**
 * One random change of the kinds the agent makes: a pushed limit, usage booked with its baseline
 * and record number, an ack, a counter creation noted or taken, a subscriber dropped by a sync.
 */
export function changeAtRandom(state: AgentState, rnd: () => number, version: { n: number }): void {
  const id = SUBSCRIBER_IDS[Math.floor(rnd() * SUBSCRIBER_IDS.length)]!
  const r = rnd()
  if (r < 0.3) state.books.set(id, book(id, ++version.n, Math.floor(rnd() * 1e9)))
  else if (r < 0.55) {
    state.appliedSeq++
    const old = state.books.get(id)
    if (old) state.books.set(id, { ...old, usedBytes: old.usedBytes + Math.floor(rnd() * 1e6) })
    // Past 2^53: counters are bigints.
    const down = 2n ** 60n + BigInt(Math.floor(rnd() * 1e12))
    state.baselines.set(id, { counterId: `c${version.n}`, bootId: 'b', down, up: 7n, atMs: version.n })
  } else if (r < 0.7) state.ackedSeq = Math.min(state.appliedSeq, state.ackedSeq + 1 + Math.floor(rnd() * 3))
  else if (r < 0.8) state.created.set(id, { atMs: version.n, replaces: `c${version.n - 1}` })
  else if (r < 0.88) state.created.delete(id)
  else {
    state.books.delete(id)
    state.baselines.delete(id)
    state.created.delete(id)
  }
}

/** The state as plain, ordered data: equal views mean equal states. */
export function view(state: AgentState) {
  const sorted = <V, T>(map: ReadonlyMap<string, V>, f: (v: V) => T) =>
    [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, f(v)] as const)
  return {
    epoch: state.epoch,
    appliedSeq: state.appliedSeq,
    ackedSeq: state.ackedSeq,
    books: sorted(state.books, (b) => JSON.parse(JSON.stringify(b)) as unknown),
    baselines: sorted(state.baselines, (b) => ({ ...b, down: String(b.down), up: String(b.up) })),
    created: sorted(state.created, (c) => ({ ...c })),
  }
}
