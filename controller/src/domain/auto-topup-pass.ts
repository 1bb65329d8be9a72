/**
 * Auto top-up as its own transaction, run after the one that changed usage, state or balance has
 * committed. Kept apart so a billing problem can never stop usage from being booked and acked;
 * a crash in between loses nothing either, because the rule depends only on the books and runs
 * again on the next report, state change or reconnect.
 */
import type { Store } from '../store/store.js'
import { runAutoTopUp } from './auto-topup.js'
import type { DomainEnv } from './env.js'

/** Returns the ids of the subscribers that were topped up (their limits changed). */
export async function autoTopUpPass(
  store: Store,
  env: DomainEnv,
  subscriberIds: readonly string[],
): Promise<string[]> {
  if (subscriberIds.length === 0) return []
  return runRule(store, env, await withRuleOn(store, [...new Set(subscriberIds)]))
}

/** The rule in one transaction for `ids`, each found with auto top-up on by a read before it. */
async function runRule(store: Store, env: DomainEnv, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return []
  return store.transact(async (tx) => {
    if (ids.length > 1) await tx.readAhead?.({ subscribers: ids, topUpsOf: ids })
    const toppedUp: string[] = []
    for (const id of ids) {
      const applied = await runAutoTopUp(tx, env, id)
      if (applied.length > 0) toppedUp.push(id)
    }
    return toppedUp
  })
}

/**
 * Those of the subscribers with auto top-up on as committed, read without a lock (peek): a
 * reconnecting agent's pass names every subscriber it enforces, and on PostgreSQL SSI's read locks
 * on a thousand rows become one on the whole table, which makes every commit that writes a
 * subscriber meanwhile a serialization failure for one side. The rule reads them again in its own
 * transaction; one turned on after this read has the rule run by the transaction that turned it on.
 * That holds because every change that calls for a pass (usage, a payment, a top-up or its reversal,
 * a plan's edit) reads or writes the subscriber's row, which the transaction turning the rule on
 * writes: SERIALIZABLE orders the two, and the later one sees the other. A new cause of a pass
 * must do the same.
 */
async function withRuleOn(store: Store, ids: readonly string[]): Promise<string[]> {
  return store.peek(async (tx) => {
    if (ids.length > 1) await tx.readAhead?.({ subscribers: ids })
    const on: string[] = []
    for (const id of ids) if ((await tx.subscribers.get(id))?.autoTopUp?.enabled) on.push(id)
    return on
  })
}

/**
 * Runs the rule again for every subscriber whose auto top-up waited for its minimum interval and
 * whose interval has ended: no report may come while they are blocked, so time alone must do it.
 * Returns those topped up and when the next waiting interval ends (Infinity: none is waiting).
 */
export async function retryWaitingAutoTopUps(
  store: Store,
  env: DomainEnv,
): Promise<{ toppedUp: string[]; nextRetryAtMs: number }> {
  const nowMs = env.clock.now()
  const { due, nextRetryAtMs } = await store.peek(async (tx) => {
    const due: string[] = []
    let next = Number.POSITIVE_INFINITY
    for (const sub of await tx.subscribers.list()) {
      const retryAtMs = sub.autoTopUpDeclined?.retryAtMs
      if (retryAtMs === undefined || !sub.autoTopUp?.enabled || sub.deletedAtMs !== undefined) continue
      if (retryAtMs <= nowMs) due.push(sub.id)
      else next = Math.min(next, retryAtMs)
    }
    return { due, nextRetryAtMs: next }
  })
  // Read with the rule on just now: no second read to find those.
  return { toppedUp: await runRule(store, env, due), nextRetryAtMs }
}
