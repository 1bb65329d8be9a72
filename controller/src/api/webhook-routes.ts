/** Webhook endpoints: list, add (the secret shown in that answer), change, new secret, delete, send a test. */
import { z } from 'zod'
import {
  addWebhookEndpoint,
  changeWebhookEndpoint,
  deleteWebhookEndpoint,
  existingEndpoint,
  lastWebhookDeliveries,
  MAX_WEBHOOK_ENDPOINTS,
  rotateWebhookSecret,
  WEBHOOK_DESCRIPTION_MAX,
} from '../notify/webhook-endpoints.js'
import { sendTestWebhook } from '../notify/webhook-sender.js'
import { WEBHOOK_URL_MAX } from '../notify/webhook-url.js'
import { NOTIFICATION_EVENTS } from '../store/entities.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { idParam, readJson } from './validate.js'
import { webhookEndpointView } from './webhook-view.js'

const Events = z
  .array(z.enum(NOTIFICATION_EVENTS))
  .max(NOTIFICATION_EVENTS.length * 2)
  .describe('The events it receives; empty or absent: all, those added later too.')

export const CreateWebhookEndpoint = z.strictObject({
  url: z.string().max(WEBHOOK_URL_MAX).describe('https://…; http:// only to a loopback or private address'),
  events: Events.optional(),
  description: z.string().max(WEBHOOK_DESCRIPTION_MAX).optional(),
  enabled: z.boolean().optional(),
})

export const ChangeWebhookEndpoint = z.strictObject({
  events: Events.optional(),
  description: z.string().max(WEBHOOK_DESCRIPTION_MAX).nullable().optional(),
  enabled: z.boolean().optional(),
})

export function webhookRoutes(r: DocumentedRouter, { store, env }: ApiDeps): void {
  r.add(
    {
      method: 'get',
      path: '/webhook-endpoints',
      summary: 'List the webhook endpoints with their latest delivery (secrets are not shown)',
      status: 200,
    },
    async (c) => {
      const items = await store.peek(async (tx) => {
        const last = await lastWebhookDeliveries(tx)
        return (await tx.webhookEndpoints.list()).map((e) => webhookEndpointView(e, last.get(e.id)))
      })
      return c.json({ items })
    },
  )
  r.add(
    {
      method: 'post',
      path: '/webhook-endpoints',
      summary: `Add a webhook endpoint (at most ${MAX_WEBHOOK_ENDPOINTS}); the answer carries its signing secret`,
      body: CreateWebhookEndpoint,
      status: 201,
    },
    async (c) => {
      const input = await readJson(c, CreateWebhookEndpoint)
      const endpoint = await store.transact((tx) => addWebhookEndpoint(tx, env, c.var.actor, input))
      return c.json({ ...webhookEndpointView(endpoint), secret: endpoint.secret }, 201)
    },
  )
  r.add(
    {
      method: 'patch',
      path: '/webhook-endpoints/:id',
      summary: 'Change the events, description or enabled state of a webhook endpoint',
      body: ChangeWebhookEndpoint,
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const change = await readJson(c, ChangeWebhookEndpoint)
      const endpoint = await store.transact((tx) => changeWebhookEndpoint(tx, env, c.var.actor, id, change))
      return c.json(webhookEndpointView(endpoint))
    },
  )
  r.add(
    {
      method: 'post',
      path: '/webhook-endpoints/:id/rotate-secret',
      summary:
        'Give a webhook endpoint a new signing secret (the old one stops at once); the answer carries it',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const endpoint = await store.transact((tx) => rotateWebhookSecret(tx, env, c.var.actor, id))
      return c.json({ ...webhookEndpointView(endpoint), secret: endpoint.secret })
    },
  )
  r.add(
    { method: 'delete', path: '/webhook-endpoints/:id', summary: 'Delete a webhook endpoint', status: 204 },
    async (c) => {
      const id = idParam(c)
      await store.transact((tx) => deleteWebhookEndpoint(tx, env, c.var.actor, id))
      return c.body(null, 204)
    },
  )
  r.add(
    {
      method: 'post',
      path: '/webhook-endpoints/:id/test',
      summary: 'Send a signed webhook.test request now and answer with what the receiver said',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const endpoint = await store.peek((tx) => existingEndpoint(tx, id))
      const answer = await sendTestWebhook(endpoint, { clock: env.clock })
      return c.json(answer)
    },
  )
}
