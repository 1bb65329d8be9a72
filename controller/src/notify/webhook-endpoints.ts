/**
 * The ISP's webhook endpoints: added with a fresh signing secret, edited (events, description,
 * on/off), given a new secret, deleted — each in the caller's transaction and in the audit log,
 * never with the secret. Deliveries already queued to an endpoint deleted or turned off end
 * `failed` when the outbox reaches them (see outbox-sender.ts).
 */
import { randomBytes } from 'node:crypto'
import { isSafeText } from '../api/safe-text.js'
import { audit } from '../domain/audit.js'
import type { Actor, DomainEnv } from '../domain/env.js'
import { fieldRefusal, notFound, Refusal } from '../domain/refusal.js'
import { newId } from '../ids.js'
import {
  type Delivery,
  NOTIFICATION_EVENTS,
  type NotificationEvent,
  type WebhookEndpoint,
} from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { webhookUrlProblem } from './webhook-url.js'

/** Each endpoint is one more POST per event: a bound keeps a slip (a script adding in a loop) cheap. */
export const MAX_WEBHOOK_ENDPOINTS = 20
export const WEBHOOK_DESCRIPTION_MAX = 200

export interface NewWebhookEndpoint {
  url: string
  /** Empty: every event, those added in later releases too. */
  events?: readonly string[]
  description?: string
  enabled?: boolean
}

export interface WebhookEndpointChange {
  events?: readonly string[]
  /** An empty text (or null) removes it. */
  description?: string | null
  enabled?: boolean
}

/** `whsec_` and 32 random bytes: the key the receiver checks `X-Capd-Signature` with. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

export async function addWebhookEndpoint(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  input: NewWebhookEndpoint,
): Promise<WebhookEndpoint> {
  const url = input.url.trim()
  const problem = webhookUrlProblem(url)
  if (problem) throw fieldRefusal('invalid_request', 'url', `url ${problem}`, `the URL ${problem}`)
  const events = checkedEvents(input.events ?? [])
  const description = checkedDescription(input.description)
  const existing = await tx.webhookEndpoints.list()
  if (existing.length >= MAX_WEBHOOK_ENDPOINTS) {
    throw new Refusal(
      'conflict',
      `there are already ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one before adding another`,
    )
  }
  const nowMs = env.clock.now()
  const endpoint: WebhookEndpoint = {
    id: newId('whk', nowMs),
    url,
    secret: newWebhookSecret(),
    events,
    enabled: input.enabled ?? true,
    ...(description ? { description } : {}),
    createdAtMs: nowMs,
  }
  await tx.webhookEndpoints.insert(endpoint)
  await audit(tx, env, actor, 'webhook.add', 'webhookEndpoint', endpoint.id, publicFields(endpoint))
  return endpoint
}

export async function changeWebhookEndpoint(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
  change: WebhookEndpointChange,
): Promise<WebhookEndpoint> {
  const current = await existingEndpoint(tx, id)
  const events = change.events === undefined ? current.events : checkedEvents(change.events)
  const description =
    change.description === undefined ? current.description : checkedDescription(change.description ?? '')
  const { description: _, ...rest } = current
  const updated: WebhookEndpoint = {
    ...rest,
    events,
    enabled: change.enabled ?? current.enabled,
    ...(description ? { description } : {}),
  }
  await tx.webhookEndpoints.update(updated)
  await audit(tx, env, actor, 'webhook.update', 'webhookEndpoint', id, publicFields(updated))
  return updated
}

/** A new secret at once: the old one stops signing with this commit (receivers must switch too). */
export async function rotateWebhookSecret(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
): Promise<WebhookEndpoint> {
  const updated = { ...(await existingEndpoint(tx, id)), secret: newWebhookSecret() }
  await tx.webhookEndpoints.update(updated)
  await audit(tx, env, actor, 'webhook.rotate_secret', 'webhookEndpoint', id)
  return updated
}

export async function deleteWebhookEndpoint(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
): Promise<WebhookEndpoint> {
  const current = await existingEndpoint(tx, id)
  await tx.webhookEndpoints.delete(id)
  await audit(tx, env, actor, 'webhook.delete', 'webhookEndpoint', id, { url: current.url })
  return current
}

export async function existingEndpoint(tx: Tx, id: string): Promise<WebhookEndpoint> {
  const endpoint = await tx.webhookEndpoints.get(id)
  if (!endpoint) throw notFound('webhook endpoint', id)
  return endpoint
}

/** Looked back this far for each endpoint's latest delivery (older ones: "none recently"). */
const LAST_DELIVERY_LOOKBACK = 1000

/** Each endpoint's newest delivery among the latest webhook deliveries. */
export async function lastWebhookDeliveries(tx: Tx): Promise<Map<string, Delivery>> {
  const latest = new Map<string, Delivery>()
  let before: string | undefined
  for (let seen = 0; seen < LAST_DELIVERY_LOOKBACK; ) {
    const page = await tx.deliveries.find({ channel: 'webhook', limit: 200, ...(before ? { before } : {}) })
    for (const d of page.items) if (!latest.has(d.to)) latest.set(d.to, d)
    seen += page.items.length
    if (!page.nextCursor || page.items.length === 0) break
    before = page.nextCursor
  }
  return latest
}

/** What the audit log and lists may show of an endpoint: everything but its secret. */
export function publicFields(e: WebhookEndpoint) {
  return {
    url: e.url,
    events: e.events,
    enabled: e.enabled,
    ...(e.description ? { description: e.description } : {}),
  }
}

function checkedEvents(events: readonly string[]): NotificationEvent[] {
  const unknown = events.filter((e) => !NOTIFICATION_EVENTS.includes(e as NotificationEvent))
  if (unknown.length > 0) {
    const text = `unknown event ${unknown.slice(0, 3).join(', ')}; known: ${NOTIFICATION_EVENTS.join(', ')}`
    throw fieldRefusal('invalid_request', 'events', `events: ${text}`, text)
  }
  // In the order they are listed everywhere, each once.
  return NOTIFICATION_EVENTS.filter((e) => events.includes(e))
}

function checkedDescription(text: string | undefined): string | undefined {
  const description = text?.trim()
  if (!description) return undefined
  if (description.length > WEBHOOK_DESCRIPTION_MAX || !isSafeText(description)) {
    const text = `the description must be at most ${WEBHOOK_DESCRIPTION_MAX} characters, on one line`
    throw fieldRefusal('invalid_request', 'description', `description: ${text}`, text)
  }
  return description
}
