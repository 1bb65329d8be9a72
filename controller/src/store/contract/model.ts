/**
 * The reference model of the randomized contract test: the few tables it exercises as plain maps
 * and arrays, with each read answered the simplest way there is (a filter and a sort), so a store
 * that answers differently is wrong, not clever.
 */
import { type IpPrefix, parseIpPrefix, prefixRange } from '@capd/protocol'
import type { AuditQuery } from '../audit-find.js'
import type { DeliveryOutcome } from '../commit-notes.js'
import type { AuditEntry, Delivery, IdempotencyRecord, Subscriber, TopUp } from '../entities.js'
import type { DeliveryQuery, Page, SubscriberQuery } from '../store.js'
import type { UsageDay } from '../usage-history-entities.js'

/** The subscriber fields a commit must hand on a change of (see Commit.subscriberIds). */
export const LIMIT_FIELDS = [
  'agentId',
  'login',
  'address',
  'planId',
  'billingDay',
  'limitVersion',
  'limitTerms',
  'autoTopUp',
  'deletedAtMs',
] as const satisfies readonly (keyof Subscriber)[]

export const limitsDiffer = (a: Subscriber | undefined, b: Subscriber | undefined) =>
  !a || !b ? a !== b : LIMIT_FIELDS.some((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))

/** Byte order, as a C collation compares: the order ids are listed in. */
export const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export interface ModelState {
  subscribers: Map<string, Subscriber>
  deliveries: Map<string, Delivery>
  usageDays: Map<string, UsageDay>
  topUps: Map<string, TopUp>
  audit: AuditEntry[]
  idempotency: Map<string, IdempotencyRecord>
  sequences: Map<string, number>
}

export const emptyModel = (): ModelState => ({
  subscribers: new Map(),
  deliveries: new Map(),
  usageDays: new Map(),
  topUps: new Map(),
  audit: [],
  idempotency: new Map(),
  sequences: new Map(),
})

export const cloneModel = (m: ModelState): ModelState => structuredClone(m)

export const sortedRows = <T extends { id: string }>(rows: Iterable<T>) => [...rows].sort(byId)

function page<T extends { id: string }>(matching: T[], limit: number): Page<T> {
  const items = matching.slice(0, limit)
  return { items, nextCursor: matching.length > limit ? items.at(-1)!.id : null }
}

export function findSubscribers(m: ModelState, q: SubscriberQuery): Page<Subscriber> {
  const text = q.q?.toLowerCase()
  const matching = sortedRows(m.subscribers.values()).filter(
    (s) =>
      (s.deletedAtMs !== undefined) === (q.deleted ?? false) &&
      (!q.state || s.state === q.state) &&
      (!q.agentId || s.agentId === q.agentId) &&
      (q.after === undefined || s.id > q.after) &&
      (!text ||
        [s.name, s.login, s.address ?? '', s.email ?? ''].some((field) =>
          field.toLowerCase().includes(text),
        )),
  )
  return page(matching, q.limit)
}

export function findDeliveries(m: ModelState, q: DeliveryQuery): Page<Delivery> {
  const matching = sortedRows(m.deliveries.values())
    .reverse()
    .filter(
      (d) =>
        (!q.status || d.status === q.status) &&
        (!q.channel || d.channel === q.channel) &&
        (!q.event || d.event === q.event) &&
        (!q.subscriberId || d.subscriberId === q.subscriberId) &&
        (q.before === undefined || d.id < q.before),
    )
  return page(matching, q.limit)
}

const isOpen = (d: Delivery) => d.status === 'queued' || d.status === 'sending'

export const dueDeliveries = (m: ModelState, nowMs: number, limit: number) =>
  sortedRows(m.deliveries.values())
    .filter((d) => isOpen(d) && d.nextAttemptAtMs <= nowMs)
    .slice(0, limit)

export const openCount = (m: ModelState) => [...m.deliveries.values()].filter(isOpen).length

export function findAudit(m: ModelState, q: AuditQuery): Page<AuditEntry> {
  let newestFirst = [...m.audit].reverse()
  if (q.before !== undefined) {
    const at = newestFirst.findIndex((e) => e.id === q.before)
    newestFirst = at < 0 ? [] : newestFirst.slice(at + 1)
  }
  const matching = newestFirst.filter(
    (e) =>
      (q.actor === undefined || e.actor === q.actor) &&
      (q.action === undefined || e.action === q.action || e.action.startsWith(`${q.action}.`)) &&
      (q.entityId === undefined || e.entityId === q.entityId) &&
      (q.fromMs === undefined || e.atMs >= q.fromMs) &&
      (q.toMs === undefined || e.atMs < q.toMs),
  )
  return page(matching, q.limit)
}

/** The live subscribers on `agentId` (other than `exceptId`) whose address overlaps `prefix`. */
export function overlapping(m: ModelState, agentId: string, prefix: IpPrefix, exceptId?: string): string[] {
  const range = prefixRange(prefix)
  return [...m.subscribers.values()]
    .filter((s) => s.agentId === agentId && s.deletedAtMs === undefined && s.id !== exceptId)
    .filter((s) => {
      if (s.address === undefined) return false
      const other = parseIpPrefix(s.address)
      if (other.family !== prefix.family) return false
      const r = prefixRange(other)
      return r.start <= range.end && range.start <= r.end
    })
    .map((s) => s.id)
}

/**
 * What a delivery's change says of an attempt (Commit.deliveryOutcomes): it ended sent or failed,
 * or failed and waits for a retry (after a send, or with more attempts counted). A claim, and any
 * change of a row already ended, says nothing.
 */
export function attemptOutcome(old: Delivery, row: Delivery): DeliveryOutcome | undefined {
  if (old.status === 'sent' || old.status === 'failed') return undefined
  if (row.status === 'sent' || row.status === 'failed') return row.status
  if (row.status === 'queued' && (old.status === 'sending' || row.attempts > old.attempts)) return 'retry'
  return undefined
}
