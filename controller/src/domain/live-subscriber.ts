/** The one check every change to a subscriber passes first: it exists and was not deleted. */
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { notFound, Refusal } from './refusal.js'

/** The subscriber, or a refusal: `not_found` for an unknown id, `deleted` for a deleted one. */
export async function liveSubscriber(tx: Tx, id: string): Promise<Subscriber> {
  const sub = await tx.subscribers.get(id)
  if (!sub) throw notFound('subscriber', id)
  requireLive(sub)
  return sub
}

/** A suspended subscriber is sold no top-up (an operator may still add one: it waits behind the block). */
export function requireNotSuspended(sub: Subscriber): void {
  if (sub.suspension) {
    throw new Refusal(
      'suspended',
      `subscriber ${sub.id} is suspended (${sub.suspension.reason}); top-ups are not sold until it is resumed`,
    )
  }
}

/** Deleted subscribers keep their books but take no changes: nothing may be added to them. */
export function requireLive(sub: Subscriber): void {
  if (sub.deletedAtMs !== undefined) {
    throw new Refusal('deleted', `subscriber ${sub.id} was deleted; it can no longer be changed`)
  }
}
