/** The delivery log page's data: the filters from the query, one page of messages, and who each went to. */
import { z } from 'zod'
import { parseInput } from '../api/validate.js'
import { type Delivery, NOTIFICATION_EVENTS } from '../store/entities.js'
import type { DeliveryQuery, Tx } from '../store/store.js'

export const DELIVERY_PAGE_SIZE = 50

/** An empty select ("any") is no filter. */
const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .enum(values)
    .optional()
    .or(z.literal('').transform(() => undefined))

const id = z
  .string()
  .trim()
  .max(64)
  .transform((s) => (s === '' ? undefined : s))
  .optional()

export const DeliverySearch = z.object({
  status: choice(['queued', 'sending', 'sent', 'failed']),
  channel: choice(['email', 'sms', 'webhook']),
  event: choice(NOTIFICATION_EVENTS),
  subscriberId: id,
  before: id,
})
export type DeliverySearch = z.infer<typeof DeliverySearch>

/** Who a message went to, in words: a customer (linked), a staff address, or a webhook endpoint. */
export type Recipient =
  | { kind: 'subscriber'; subscriberId: string; name: string; address: string }
  | { kind: 'staff'; address: string }
  | { kind: 'webhook'; url: string | undefined; endpointId: string }

export interface DeliveryRow {
  delivery: Delivery
  recipient: Recipient
}

export interface DeliveriesPageData {
  search: DeliverySearch
  rows: DeliveryRow[]
  nextCursor: string | null
  /** The subscriber the log is narrowed to, named. */
  subscriberName?: string
}

export async function loadDeliveries(tx: Tx, query: Record<string, string>): Promise<DeliveriesPageData> {
  const search = parseInput(DeliverySearch, query)
  const q: DeliveryQuery = { limit: DELIVERY_PAGE_SIZE }
  for (const key of ['status', 'channel', 'event', 'subscriberId', 'before'] as const) {
    const value = search[key]
    if (value !== undefined) Object.assign(q, { [key]: value })
  }
  const page = await tx.deliveries.find(q)
  const rows = await deliveryRows(tx, page.items)
  const sub = search.subscriberId ? await tx.subscribers.get(search.subscriberId) : undefined
  return { search, rows, nextCursor: page.nextCursor, ...(sub ? { subscriberName: sub.name } : {}) }
}

/** Each delivery with its recipient in words (one look-up per subscriber and endpoint). */
export async function deliveryRows(tx: Tx, deliveries: readonly Delivery[]): Promise<DeliveryRow[]> {
  const names = new Map<string, string>()
  const urls = new Map<string, string | undefined>()
  const rows: DeliveryRow[] = []
  for (const delivery of deliveries) rows.push({ delivery, recipient: await recipientOf(tx, delivery) })
  return rows

  async function recipientOf(tx: Tx, d: Delivery): Promise<Recipient> {
    if (d.channel === 'webhook') {
      if (!urls.has(d.to)) urls.set(d.to, (await tx.webhookEndpoints.get(d.to))?.url)
      return { kind: 'webhook', url: urls.get(d.to), endpointId: d.to }
    }
    if (!d.subscriberId) return { kind: 'staff', address: d.to }
    if (!names.has(d.subscriberId)) {
      names.set(d.subscriberId, (await tx.subscribers.get(d.subscriberId))?.name ?? d.subscriberId)
    }
    return {
      kind: 'subscriber',
      subscriberId: d.subscriberId,
      name: names.get(d.subscriberId)!,
      address: d.to,
    }
  }
}

/** The log's URL for these filters, from `before` on. */
export function deliveriesUrl(search: DeliverySearch, before?: string): string {
  const params = new URLSearchParams()
  for (const key of ['status', 'channel', 'event', 'subscriberId'] as const) {
    const value = search[key]
    if (value !== undefined) params.set(key, value)
  }
  if (before !== undefined) params.set('before', before)
  const qs = params.toString()
  return qs ? `/notifications?${qs}` : '/notifications'
}
