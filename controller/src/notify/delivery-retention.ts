/**
 * Forgetting the delivery log past the retention: messages sent or failed before it, and the
 * notifications left with none — but never a notification that still guards a decision.
 */
import type { Delivery } from '../store/entities.js'
import type { Tx } from '../store/store.js'

const DAY_MS = 86_400_000

/**
 * A notification's key is what stops its event being decided twice (a usage alert's key names its
 * billing period). Such a key matters while its period can still be booked to: the current period
 * and the one before it, whose late usage (an agent back from an outage replays its journal into
 * the period it counted it in) could otherwise decide its alerts again. Two of the longest periods
 * (31 days) make 62 days; notifications younger than that are kept even when the retention
 * (`--retention-days`, at least 30) is shorter.
 */
export const NOTIFICATION_MIN_KEEP_MS = 62 * DAY_MS

const isOpen = (d: Delivery) => d.status === 'queued' || d.status === 'sending'

export async function pruneDeliveries(tx: Tx, nowMs: number, retentionMs: number): Promise<void> {
  const beforeMs = nowMs - retentionMs
  // Ids are time-ordered (see Delivery.id), so the old ones come first.
  for (const d of await tx.deliveries.list()) {
    if (d.createdAtMs >= beforeMs) break
    if (!isOpen(d)) await tx.deliveries.delete(d.id)
  }
  const keyBeforeMs = nowMs - Math.max(retentionMs, NOTIFICATION_MIN_KEEP_MS)
  // Keyed by decision, not time: every one is looked at.
  for (const n of await tx.notifications.list()) {
    if (n.createdAtMs >= keyBeforeMs) {
      // The customer's name and figures in it go with the rest of their personal data: no key of
      // an erased subscriber guards anything, since nothing is decided for a deleted one.
      if (!(await isErased(tx, n.subscriberId))) continue
      for (const d of await tx.deliveries.forNotification(n.id)) {
        if (!isOpen(d)) await tx.deliveries.delete(d.id)
      }
    }
    // A message still kept (one sent again lately, or still being sent) needs its notification.
    if ((await tx.deliveries.forNotification(n.id)).length > 0) continue
    await tx.notifications.delete(n.id)
  }
}

async function isErased(tx: Tx, subscriberId: string | undefined): Promise<boolean> {
  return subscriberId !== undefined && (await tx.subscribers.get(subscriberId))?.erasedAtMs !== undefined
}
