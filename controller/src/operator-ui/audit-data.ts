/** The audit log page's data: the filters from the query, the matching entries (50 a page), and who each actor is. */
import { startOfLocalDay } from '@capd/protocol'
import { z } from 'zod'
import { parseInput } from '../api/validate.js'
import { actorLabel } from '../domain/actor-label.js'
import { ApiError } from '../errors.js'
import type { AuditQuery } from '../store/audit-find.js'
import type { AuditEntry, User } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export const AUDIT_PAGE_SIZE = 50

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .optional()
  .or(z.literal('').transform(() => undefined))

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => (s === '' ? undefined : s))
    .optional()

export const AuditSearch = z.object({
  /** A staff login, `api token <id>`, or a raw actor (`token:…`, `agent:…`, `customer:…`, `system`). */
  actor: text(200),
  action: text(100),
  /** The id of what was changed: a subscriber, a plan, an agent, a staff account… */
  target: text(100),
  from: day,
  to: day,
  before: text(64),
})
export type AuditSearch = z.infer<typeof AuditSearch>

export interface AuditRow {
  entry: AuditEntry
  actor: string
}

export interface AuditPageData {
  search: AuditSearch
  rows: AuditRow[]
  nextCursor: string | null
  /** Why nothing can match (an unknown login), said on the page. */
  note?: string
}

/** The first instant of a `YYYY-MM-DD` day in `timeZone`; `plusDays` 1 gives the end of that day. */
function dayStart(value: string, timeZone: string, plusDays = 0): number {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number]
  try {
    const start = startOfLocalDay(y, m, d, timeZone)
    return plusDays === 0 ? start : startOfLocalDay(...nextDay(y, m, d), timeZone)
  } catch (err) {
    if (err instanceof RangeError) throw new ApiError(400, 'invalid_request', `${value} is not a date`)
    throw err
  }
}

function nextDay(y: number, m: number, d: number): [number, number, number] {
  const next = new Date(Date.UTC(y, m - 1, d + 1))
  return [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()]
}

/** The actor a search names: a login becomes `user:<id>`, `api token X` becomes `token:X`. */
function actorOf(search: string, staff: readonly User[]): string | undefined {
  const byLogin = staff.find((u) => u.username === search.toLowerCase())
  if (byLogin) return `user:${byLogin.id}`
  const token = /^api token (\S+)$/i.exec(search)
  if (token) return `token:${token[1]}`
  if (/^(user|token|agent|customer):\S+$/.test(search) || search === 'system') return search
  return undefined
}

export async function loadAudit(
  tx: Tx,
  query: Record<string, string>,
  timeZone: string,
): Promise<AuditPageData> {
  const search = parseInput(AuditSearch, query)
  const staff = await tx.users.list()
  const staffById = new Map(staff.map((u) => [u.id, u]))
  const q: AuditQuery = { limit: AUDIT_PAGE_SIZE }
  if (search.actor !== undefined) {
    const actor = actorOf(search.actor, staff)
    if (actor === undefined) {
      return { search, rows: [], nextCursor: null, note: `No staff account has the login "${search.actor}".` }
    }
    q.actor = actor
  }
  if (search.action !== undefined) q.action = search.action
  if (search.target !== undefined) q.entityId = search.target
  if (search.from !== undefined) q.fromMs = dayStart(search.from, timeZone)
  if (search.to !== undefined) q.toMs = dayStart(search.to, timeZone, 1)
  if (search.before !== undefined) q.before = search.before
  const page = await tx.audit.find(q)
  return {
    search,
    rows: page.items.map((entry) => ({ entry, actor: actorLabel(entry.actor, staffById) })),
    nextCursor: page.nextCursor,
  }
}

/** The page's URL for these filters, from `before` on. */
export function auditUrl(search: AuditSearch, before?: string): string {
  const params = new URLSearchParams()
  for (const key of ['actor', 'action', 'target', 'from', 'to'] as const) {
    const value = search[key]
    if (value !== undefined) params.set(key, value)
  }
  if (before !== undefined) params.set('before', before)
  const qs = params.toString()
  return qs ? `/audit?${qs}` : '/audit'
}
