/**
 * Deciding a notification, in the transaction of the change that causes it: the notification is
 * keyed so that deciding it again (a repeated report, a replay, a retry after a crash) does
 * nothing, and its messages are queued in the outbox by the same commit — never sent from here.
 */

import type { DomainEnv } from '../domain/env.js'
import { newId } from '../ids.js'
import {
  ACCOUNT_EVENTS,
  type Channel,
  DEFAULT_ALERT_CHOICES,
  type Delivery,
  type Notification,
  type NotificationData,
  type NotificationEvent,
  type NotificationVars,
  type Subscriber,
  USAGE_ALERT_EVENTS,
} from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { operatorAlertEmails } from './notify-settings.js'

/** A message is retried for a day, then it ends `failed` in the delivery log. */
export const RETRY_WINDOW_MS = 24 * 3600_000

export interface NotificationInput {
  /** Unique per decision: the same key is never decided twice (see each caller for its key). */
  key: string
  event: NotificationEvent
  subscriberId?: string
  agentId?: string
  vars: NotificationVars
  data: NotificationData
}

/**
 * Decides the notification unless its key was decided before, and queues one delivery per
 * recipient: the subscriber's channels (by their choices), the operators' alert e-mail for staff
 * events, and every enabled webhook endpoint that takes the event. Returns it, or undefined for a
 * key already decided.
 */
export async function queueNotification(
  tx: Tx,
  env: DomainEnv,
  input: NotificationInput,
): Promise<Notification | undefined> {
  if (await tx.notifications.get(input.key)) return undefined
  const nowMs = env.clock.now()
  const notification: Notification = {
    id: input.key,
    event: input.event,
    ...(input.subscriberId ? { subscriberId: input.subscriberId } : {}),
    ...(input.agentId ? { agentId: input.agentId } : {}),
    vars: input.vars,
    data: input.data,
    createdAtMs: nowMs,
  }
  await tx.notifications.insert(notification)
  for (const [channel, to] of await recipients(tx, env, notification)) {
    await tx.deliveries.insertNew(newDelivery(notification, channel, to, nowMs))
  }
  return notification
}

export function newDelivery(n: Notification, channel: Channel, to: string, nowMs: number): Delivery {
  return {
    id: newId('dlv', nowMs),
    notificationId: n.id,
    event: n.event,
    ...(n.subscriberId ? { subscriberId: n.subscriberId } : {}),
    channel,
    to,
    status: 'queued',
    attempts: 0,
    nextAttemptAtMs: nowMs,
    giveUpAtMs: nowMs + RETRY_WINDOW_MS,
    createdAtMs: nowMs,
  }
}

async function recipients(tx: Tx, env: DomainEnv, n: Notification): Promise<[Channel, string][]> {
  const out: [Channel, string][] = []
  const channels = env.channels ?? new Set()
  if (n.subscriberId) {
    const sub = await tx.subscribers.get(n.subscriberId)
    if (sub) out.push(...customerRecipients(sub, n.event, channels))
  } else if (channels.has('email')) {
    for (const email of await operatorAlertEmails(tx)) out.push(['email', email])
  }
  for (const endpoint of await tx.webhookEndpoints.list()) {
    if (!endpoint.enabled) continue
    if (endpoint.events.length === 0 || endpoint.events.includes(n.event)) out.push(['webhook', endpoint.id])
  }
  return out
}

function customerRecipients(
  sub: Subscriber,
  event: NotificationEvent,
  channels: ReadonlySet<'email' | 'sms'>,
): [Channel, string][] {
  // A deleted subscriber is no longer a customer: nothing more is sent to them.
  if (sub.deletedAtMs !== undefined) return []
  const choices = sub.alerts ?? DEFAULT_ALERT_CHOICES
  const out: [Channel, string][] = []
  if (USAGE_ALERT_EVENTS.includes(event as never)) {
    if (choices.email && sub.email && channels.has('email')) out.push(['email', sub.email])
    if (choices.sms && sub.phone && channels.has('sms')) out.push(['sms', sub.phone])
  } else if (ACCOUNT_EVENTS.includes(event as never)) {
    if (choices.receipts && sub.email && channels.has('email')) out.push(['email', sub.email])
  }
  return out
}
