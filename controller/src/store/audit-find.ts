/** Finding audit entries by who, what, on what and when, newest first, a page at a time. */
import type { AuditEntry } from './entities.js'
import type { Page } from './store.js'

export interface AuditQuery {
  /** The actor exactly (`user:<id>`, `token:<id>`, `agent:<id>`, `system`, …). */
  actor?: string
  /** An action (`topup.create`) or its group (`topup`). */
  action?: string
  /** The id of what was changed (a subscriber's, a plan's, a staff account's, …). */
  entityId?: string
  /** From this time on (inclusive). */
  fromMs?: number
  /** Before this time (exclusive). */
  toMs?: number
  /** Entries older than the one with this id (the previous page's `nextCursor`). */
  before?: string
  limit: number
}

export function matchesAudit(entry: AuditEntry, q: AuditQuery): boolean {
  return (
    (q.actor === undefined || entry.actor === q.actor) &&
    (q.action === undefined || entry.action === q.action || entry.action.startsWith(`${q.action}.`)) &&
    (q.entityId === undefined || entry.entityId === q.entityId) &&
    (q.fromMs === undefined || entry.atMs >= q.fromMs) &&
    (q.toMs === undefined || entry.atMs < q.toMs)
  )
}

/** `log` is in append (= time) order. */
export function findAudit(log: readonly AuditEntry[], q: AuditQuery): Page<AuditEntry> {
  let start = log.length - 1
  if (q.before !== undefined) {
    const at = log.findLastIndex((e) => e.id === q.before)
    start = at < 0 ? -1 : at - 1
  }
  const items: AuditEntry[] = []
  for (let i = start; i >= 0; i--) {
    const entry = log[i]!
    if (!matchesAudit(entry, q)) continue
    if (items.length === q.limit) return { items, nextCursor: items.at(-1)!.id }
    items.push(entry)
  }
  return { items, nextCursor: null }
}
