/** Delivery log rows written straight into a store, for tests of the pages and routes that show them. */
import type { DomainEnv } from '../domain/env.js'
import { newDelivery } from '../notify/queue.js'
import type { Channel, Delivery, DeliveryStatus, NotificationEvent } from '../store/entities.js'
import type { Store } from '../store/store.js'

export interface DeliveryFixture {
  /** The notification's key; a fresh one by default (an existing key adds a delivery to it). */
  key?: string
  event?: NotificationEvent
  subscriberId?: string
  channel?: Channel
  to?: string
  status?: DeliveryStatus
  attempts?: number
  lastError?: string
  providerRef?: string
  vars?: Record<string, string>
}

export async function putDelivery(store: Store, env: DomainEnv, f: DeliveryFixture = {}): Promise<Delivery> {
  return store.transact(async (tx) => {
    const nowMs = env.clock.now()
    const key = f.key ?? `${f.event ?? 'usage.threshold'}/${crypto.randomUUID()}`
    let notification = await tx.notifications.get(key)
    if (!notification) {
      notification = {
        id: key,
        event: f.event ?? 'usage.threshold',
        ...(f.subscriberId ? { subscriberId: f.subscriberId } : {}),
        vars: f.vars ?? { name: 'Alice', percent: '80' },
        data: { percent: 80 },
        createdAtMs: nowMs,
      }
      await tx.notifications.insert(notification)
    }
    const status = f.status ?? 'sent'
    const delivery: Delivery = {
      ...newDelivery(notification, f.channel ?? 'email', f.to ?? 'alice@example.net', nowMs),
      status,
      attempts: f.attempts ?? (status === 'queued' ? 0 : 1),
      ...(status === 'sent' ? { sentAtMs: nowMs } : {}),
      ...(status === 'queued' ? {} : { lastAttemptAtMs: nowMs }),
      ...(f.lastError ? { lastError: f.lastError } : {}),
      ...(f.providerRef ? { providerRef: f.providerRef } : {}),
    }
    await tx.deliveries.insert(delivery)
    return delivery
  })
}
