/** The outbox's reads over the in-memory table: what is due, and the delivery log's pages. */
import type { Delivery } from './entities.js'
import type { MemoryIndex } from './memory-index.js'
import type { MemoryTable } from './memory-table.js'
import type { DeliveryQuery, Page } from './store.js'

/** Deliveries still to send (`queued`, or `sending` under a lease) share one index key. */
export const OPEN = 'open'
export const openKey = (d: Delivery) => (d.status === 'queued' || d.status === 'sending' ? OPEN : undefined)

export function dueDeliveries(
  table: MemoryTable<Delivery>,
  open: MemoryIndex<Delivery>,
  nowMs: number,
  limit: number,
): Delivery[] {
  const due: Delivery[] = []
  for (const row of table.byIndex(open, OPEN)) {
    if (row.nextAttemptAtMs > nowMs) continue
    due.push(row)
    if (due.length === limit) break
  }
  return due
}

export function findDeliveries(table: MemoryTable<Delivery>, query: DeliveryQuery): Page<Delivery> {
  const items: Delivery[] = []
  let more = false
  table.scanBackFrom(query.before, (d) => {
    if (query.status && d.status !== query.status) return true
    if (query.channel && d.channel !== query.channel) return true
    if (query.event && d.event !== query.event) return true
    if (query.subscriberId && d.subscriberId !== query.subscriberId) return true
    if (items.length === query.limit) {
      more = true
      return false
    }
    items.push(d)
    return true
  })
  return { items, nextCursor: more ? items[items.length - 1]!.id : null }
}
