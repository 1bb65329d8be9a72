/**
 * Sending one message of the delivery log again, at an operator's request: a new delivery of the
 * same notification on the same channel, queued in the outbox like any other (the old row stays,
 * so the log keeps what happened to it).
 */
import { audit } from '../domain/audit.js'
import type { Actor, DomainEnv } from '../domain/env.js'
import { notFound, Refusal } from '../domain/refusal.js'
import type { Delivery } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { newDelivery } from './queue.js'

const isOpen = (d: Delivery) => d.status === 'queued' || d.status === 'sending'

const CHANNEL_WORDS = { email: 'e-mail', sms: 'SMS' } as const

/** Queues the message again and returns the new delivery; refuses one still waiting to be sent. */
export async function sendAgain(tx: Tx, env: DomainEnv, actor: Actor, deliveryId: string): Promise<Delivery> {
  const old = await tx.deliveries.get(deliveryId)
  if (!old) throw notFound('delivery', deliveryId)
  if (isOpen(old)) {
    throw new Refusal('conflict', `message ${deliveryId} is already waiting to be sent`)
  }
  const notification = await tx.notifications.get(old.notificationId)
  if (!notification) {
    throw new Refusal('conflict', `the notification of message ${deliveryId} is no longer kept`)
  }
  const to = await recipientNow(tx, env, old)
  // A second click (or a second operator) before the first resend went out would send it twice.
  const waiting = (await tx.deliveries.forNotification(notification.id)).find(
    (d) => isOpen(d) && d.channel === old.channel && d.to === to,
  )
  if (waiting) {
    throw new Refusal('conflict', `this message is already waiting to be sent again (${waiting.id})`)
  }
  const nowMs = env.clock.now()
  const delivery = newDelivery(notification, old.channel, to, nowMs)
  await tx.deliveries.insert(delivery)
  await audit(tx, env, actor, 'delivery.resend', 'delivery', old.id, {
    deliveryId: delivery.id,
    notificationId: notification.id,
    channel: delivery.channel,
    ...(delivery.subscriberId ? { subscriberId: delivery.subscriberId } : {}),
  })
  return delivery
}

/**
 * Where the message goes now. A customer's e-mail or SMS goes to the contact on file today, not
 * the one of the first attempt: a message is most often sent again because it failed and the
 * address was corrected since, and an address the customer has given up may no longer be theirs.
 * Staff addresses and webhook endpoints are the ISP's own and go where they went before.
 */
async function recipientNow(tx: Tx, env: DomainEnv, old: Delivery): Promise<string> {
  if (old.channel === 'webhook') {
    const endpoint = await tx.webhookEndpoints.get(old.to)
    if (!endpoint?.enabled) {
      throw new Refusal('conflict', 'the webhook endpoint of this message was removed or disabled')
    }
    return old.to
  }
  if (!env.channels?.has(old.channel)) {
    throw new Refusal('conflict', `no ${CHANNEL_WORDS[old.channel]} channel is configured`)
  }
  if (!old.subscriberId) return old.to
  const sub = await tx.subscribers.get(old.subscriberId)
  if (!sub || sub.deletedAtMs !== undefined) {
    throw new Refusal('deleted', `subscriber ${old.subscriberId} was deleted: nothing more is sent to them`)
  }
  const contact = old.channel === 'email' ? sub.email : sub.phone
  if (!contact) {
    const what = old.channel === 'email' ? 'e-mail address' : 'phone number'
    throw new Refusal('conflict', `${sub.name} has no ${what} on file any more`)
  }
  return contact
}
