/** The delivery log: every message the controller sent or tried to send, and sending one again. */
import { z } from 'zod'
import { notFound } from '../domain/refusal.js'
import { sendAgain } from '../notify/send-again.js'
import { CHANNELS, NOTIFICATION_EVENTS } from '../store/entities.js'
import type { ApiDeps } from './app-env.js'
import { deliveryView, notificationView } from './delivery-view.js'
import type { DocumentedRouter } from './router.js'
import { idParam, readQuery } from './validate.js'

export const DeliveryListQuery = z.strictObject({
  status: z.enum(['queued', 'sending', 'sent', 'failed']).optional(),
  channel: z.enum(CHANNELS).optional(),
  event: z.enum(NOTIFICATION_EVENTS).optional(),
  subscriberId: z.string().min(1).max(64).optional(),
  /** The `nextCursor` of the page before: the next page holds older messages. */
  before: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})

export function deliveryRoutes(r: DocumentedRouter, { store, env, outbox }: ApiDeps): void {
  r.add(
    {
      method: 'get',
      path: '/deliveries',
      summary:
        'The delivery log, newest first: filter by status, channel, event or subscriber; page with before',
      query: DeliveryListQuery,
      status: 200,
    },
    async (c) => {
      const query = readQuery(c, DeliveryListQuery)
      const page = await store.peek((tx) => tx.deliveries.find(query))
      return c.json({ items: page.items.map(deliveryView), nextCursor: page.nextCursor })
    },
  )
  r.add(
    {
      method: 'get',
      path: '/deliveries/:id',
      summary: 'One message of the delivery log, with its notification (event, variables, data)',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const found = await store.peek(async (tx) => {
        const delivery = await tx.deliveries.get(id)
        return delivery && { delivery, notification: await tx.notifications.get(delivery.notificationId) }
      })
      if (!found) throw notFound('delivery', id)
      const { delivery, notification } = found
      return c.json({
        ...deliveryView(delivery),
        notification: notification ? notificationView(notification) : null,
      })
    },
  )
  r.add(
    {
      method: 'post',
      path: '/deliveries/:id/resend',
      summary:
        "Send a sent or failed message again (a new delivery; a customer's message goes to their current contact)",
      status: 201,
    },
    async (c) => {
      const id = idParam(c)
      const delivery = await store.transact((tx) => sendAgain(tx, env, c.var.actor, id))
      outbox?.kick()
      return c.json(deliveryView(delivery), 201)
    },
  )
}
