/** The notification outbox's tables over the store document, with their indexes and reads. */
import type { ChangeLog } from './change-log.js'
import type { Data } from './data.js'
import { dueDeliveries, findDeliveries, OPEN, openKey } from './delivery-search.js'
import type { Delivery, Notification } from './entities.js'
import { MemoryIndex } from './memory-index.js'
import { MemoryTable } from './memory-table.js'
import type { DeliveryQuery, Tx } from './store.js'

export function notificationTables(
  d: Data,
  log: () => ChangeLog,
  /** Told of every delivery written, so a commit can say it queued one. */
  deliveryWritten: (old: Delivery | undefined, row: Delivery | undefined) => void,
): Pick<Tx, 'notifications' | 'deliveries' | 'webhookEndpoints'> {
  const notificationsBySubscriber = new MemoryIndex<Notification>((n) => n.subscriberId)
  const notifications = new MemoryTable('notifications', d.notifications, log, [notificationsBySubscriber])
  const openDeliveries = new MemoryIndex<Delivery>(openKey)
  const deliveriesByNotification = new MemoryIndex<Delivery>((r) => r.notificationId)
  const deliveries = new MemoryTable(
    'deliveries',
    d.deliveries,
    log,
    [openDeliveries, deliveriesByNotification],
    (old, row) => deliveryWritten(old, row),
  )
  return {
    notifications: Object.assign(notifications, {
      forSubscriber: async (id: string) => notifications.byIndex(notificationsBySubscriber, id),
    }),
    deliveries: Object.assign(deliveries, {
      due: async (nowMs: number, limit: number) => dueDeliveries(deliveries, openDeliveries, nowMs, limit),
      openCount: async () => openDeliveries.count(OPEN),
      forNotification: async (id: string) => deliveries.byIndex(deliveriesByNotification, id),
      find: async (query: DeliveryQuery) => findDeliveries(deliveries, query),
    }),
    webhookEndpoints: new MemoryTable('webhookEndpoints', d.webhookEndpoints, log),
  }
}
