/** The outbox's webhook channel: each delivery POSTed, signed, to its endpoint; any failure is retried. */
import type { Clock } from '../clock.js'
import { newId } from '../ids.js'
import type { WebhookEndpoint } from '../store/entities.js'
import type { ChannelSender, OutgoingMessage, SendOutcome } from './channel.js'
import { postWebhook, type WebhookAnswer, type WebhookPayload } from './webhook-post.js'

export interface WebhookSenderOptions {
  clock: Clock
  timeoutMs?: number
}

/** The body of a delivery: its id (the same on retries), the event, and the notification's machine data. */
export function deliveryPayload({ delivery, notification }: OutgoingMessage): WebhookPayload {
  return {
    id: delivery.id,
    event: notification.event,
    createdAt: new Date(notification.createdAtMs).toISOString(),
    ...(notification.subscriberId ? { subscriberId: notification.subscriberId } : {}),
    ...(notification.agentId ? { agentId: notification.agentId } : {}),
    data: notification.data,
  }
}

export function webhookSender(options: WebhookSenderOptions): ChannelSender {
  return {
    channel: 'webhook',
    async send(out: OutgoingMessage): Promise<SendOutcome> {
      // The outbox hands every webhook delivery its endpoint; without one there is nowhere to send.
      if (!out.endpoint) return { ok: false, error: 'the webhook endpoint is missing', retry: false }
      const answer = await postWebhook(out.endpoint, deliveryPayload(out), options)
      // Every refusal is retried, 4xx too: a receiver being deployed or misconfigured is fixed within
      // the day more often than not, and the retry window bounds the cost.
      return answer.ok
        ? { ok: true, ref: `HTTP ${answer.status}` }
        : { ok: false, error: answer.error, retry: true }
    },
  }
}

/**
 * "Send test": a `webhook.test` request signed like any delivery, sent now and not through the
 * outbox (it is not retried or logged), so the operator sees the receiver's answer at once.
 */
export async function sendTestWebhook(
  endpoint: WebhookEndpoint,
  options: WebhookSenderOptions,
): Promise<WebhookAnswer> {
  const nowMs = options.clock.now()
  const payload: WebhookPayload = {
    id: newId('test', nowMs),
    event: 'webhook.test',
    createdAt: new Date(nowMs).toISOString(),
    data: { endpointId: endpoint.id, message: 'A test from capd: this endpoint receives its webhooks.' },
  }
  return postWebhook(endpoint, payload, options)
}
