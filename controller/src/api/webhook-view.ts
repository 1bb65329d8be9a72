/** A webhook endpoint as the API shows it: never its secret; its latest delivery when there is one. */
import { publicFields } from '../notify/webhook-endpoints.js'
import type { Delivery, WebhookEndpoint } from '../store/entities.js'

export function webhookEndpointView(e: WebhookEndpoint, last?: Delivery) {
  return {
    id: e.id,
    ...publicFields(e),
    createdAt: new Date(e.createdAtMs).toISOString(),
    lastDelivery: last ? lastDeliveryView(last) : null,
  }
}

function lastDeliveryView(d: Delivery) {
  const atMs = d.sentAtMs ?? d.lastAttemptAtMs ?? d.createdAtMs
  return {
    id: d.id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    at: new Date(atMs).toISOString(),
    ...(d.providerRef ? { ref: d.providerRef } : {}),
    ...(d.lastError && d.status !== 'sent' ? { error: d.lastError } : {}),
  }
}
