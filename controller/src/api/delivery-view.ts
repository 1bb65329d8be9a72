/** What the API shows of a delivery (one message of the delivery log) and of its notification. */
import type { Delivery, Notification } from '../store/entities.js'

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())
const open = (d: Delivery) => d.status === 'queued' || d.status === 'sending'

export const deliveryView = (d: Delivery) => ({
  id: d.id,
  notificationId: d.notificationId,
  event: d.event,
  subscriberId: d.subscriberId ?? null,
  channel: d.channel,
  /** The e-mail address, the E.164 number, or the webhook endpoint's id. */
  to: d.to,
  status: d.status,
  attempts: d.attempts,
  /** When the sender takes it next; null once it is sent or failed. */
  nextAttemptAt: open(d) ? iso(d.nextAttemptAtMs) : null,
  giveUpAt: iso(d.giveUpAtMs),
  lastAttemptAt: iso(d.lastAttemptAtMs),
  lastError: d.lastError ?? null,
  sentAt: iso(d.sentAtMs),
  providerRef: d.providerRef ?? null,
  createdAt: iso(d.createdAtMs),
})

export const notificationView = (n: Notification) => ({
  id: n.id,
  event: n.event,
  subscriberId: n.subscriberId ?? null,
  agentId: n.agentId ?? null,
  vars: n.vars,
  data: n.data,
  createdAt: iso(n.createdAtMs),
})
