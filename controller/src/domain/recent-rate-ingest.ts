/** Folds a booked batch's drawn usage into each subscriber's recent rate (see recent-rate.ts). */
import { drawnBytes, type UsageEntry } from '@capd/protocol'
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { foldRate } from './recent-rate.js'

/**
 * `entries` are the batch's bookable entries in journal order; `subscribers` holds each one's
 * booked row and gets the updated rows back. A reading dated after `nowMs` (an agent's clock
 * running ahead) counts as read now, as its booking does.
 */
export async function recordRecentRates(
  tx: Tx,
  subscribers: Map<string, Subscriber>,
  entries: readonly UsageEntry[],
  nowMs: number,
): Promise<void> {
  const rates = new Map<string, Subscriber['recentRate']>()
  for (const entry of entries) {
    const sub = subscribers.get(entry.subscriberId)
    if (!sub) continue
    const drawn = drawnBytes(sub.limitTerms ?? {}, entry.down, entry.up, entry.atMs)
    const rate = rates.has(sub.id) ? rates.get(sub.id) : sub.recentRate
    rates.set(sub.id, foldRate(rate, Math.min(entry.atMs, nowMs), drawn))
  }
  for (const [id, recentRate] of rates) {
    const updated = { ...subscribers.get(id)!, recentRate }
    await tx.subscribers.update(updated)
    subscribers.set(id, updated)
  }
}
