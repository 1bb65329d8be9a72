/**
 * Deleting a subscriber: it leaves its agent (the next sync drops its rules), the portal (its
 * sessions end, its login is refused), the lists and the address checks, but its usage, top-ups,
 * invoices, payments and ledger stay. A retention period later its personal data is erased.
 */
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { liveSubscriber } from './live-subscriber.js'
import { endPortalSessions } from './subscribers.js'

/** Deletes a live subscriber; a deleted one is refused (`deleted`), an unknown one `not_found`. */
export async function deleteSubscriber(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
): Promise<Subscriber> {
  const sub = await liveSubscriber(tx, id)
  const nowMs = env.clock.now()
  const deleted: Subscriber = { ...sub, deletedAtMs: nowMs }
  await tx.subscribers.update(deleted)
  await endPortalSessions(tx, id, nowMs)
  await audit(tx, env, actor, 'subscriber.delete', 'subscriber', id)
  return deleted
}

/** The name an erased subscriber is shown with in its books. */
export const ERASED_NAME = 'Deleted subscriber'

/**
 * Erases the personal data of subscribers deleted before `beforeMs`: name, login, e-mail, phone,
 * postal address, notes, password and suspension reason. The id, plan, address and the money and
 * usage rows stay, so the books still add up. The login becomes `deleted-<id>`, free for reuse.
 */
export async function eraseDeleted(tx: Tx, env: DomainEnv, beforeMs: number): Promise<string[]> {
  const erased: string[] = []
  for (const sub of await tx.subscribers.list()) {
    if (sub.deletedAtMs === undefined || sub.deletedAtMs >= beforeMs || sub.erasedAtMs !== undefined) continue
    const {
      email: _email,
      phone: _phone,
      postalAddress: _postal,
      notes: _notes,
      passwordHash: _hash,
      suspension: _suspension,
      autoTopUp: _auto,
      ...kept
    } = sub
    await tx.subscribers.update({
      ...kept,
      name: ERASED_NAME,
      login: `deleted-${sub.id}`,
      erasedAtMs: env.clock.now(),
    })
    await audit(tx, env, 'system', 'subscriber.erase', 'subscriber', sub.id)
    erased.push(sub.id)
  }
  return erased
}
