/** The parts of a transaction kept beside the row tables: the audit list, idempotency records, sequences. */
import type { AuditQuery } from '../audit-find.js'
import type { AuditEntry, IdempotencyRecord } from '../entities.js'
import type { Page, Tx } from '../store.js'
import { PeekWriteError, type Query } from './pg-table.js'

/** Flushes run at commit (and before a read that must see them), like the row tables'. */
export interface Flushable {
  flush(): Promise<void>
}

export function auditPart(query: Query, readOnly: boolean): Tx['audit'] & Flushable {
  let appended: AuditEntry[] = []
  const flush = async () => {
    if (appended.length === 0) return
    const rows = appended
    appended = []
    await insertAudit(query, rows)
  }
  return {
    flush,
    append: async (entry) => {
      if (readOnly) throw new PeekWriteError()
      appended.push(entry)
    },
    list: async (limit) => {
      await flush()
      const rows = await query<{ doc: AuditEntry }>('SELECT doc FROM audit ORDER BY ord DESC LIMIT $1', [
        limit,
      ])
      return rows.map((r) => r.doc)
    },
    find: async (q) => {
      await flush()
      return findAudit(query, q)
    },
    prune: async (beforeMs) => {
      if (readOnly) throw new PeekWriteError()
      await flush()
      // The leading run of entries older than `beforeMs`, as the embedded list is cut.
      await query(
        `DELETE FROM audit WHERE ord < coalesce((SELECT min(ord) FROM audit WHERE at_ms >= $1), 9223372036854775807)`,
        [beforeMs],
      )
    },
  }
}

export async function insertAudit(query: Query, rows: readonly AuditEntry[]): Promise<void> {
  await query(
    `INSERT INTO audit (id, at_ms, actor, action, entity_id, doc)
     SELECT id, at_ms, actor, action, entity_id, doc
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
       WITH ORDINALITY AS u(id, at_ms, actor, action, entity_id, doc, n) ORDER BY n`,
    [
      rows.map((e) => e.id),
      rows.map((e) => e.atMs),
      rows.map((e) => e.actor),
      rows.map((e) => e.action),
      rows.map((e) => e.entityId),
      rows.map((e) => JSON.stringify(e)),
    ],
  )
}

async function findAudit(query: Query, q: AuditQuery): Promise<Page<AuditEntry>> {
  const params: unknown[] = []
  const where: string[] = []
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value)
    where.push(sql(`$${params.length}`))
  }
  if (q.actor !== undefined) add((p) => `actor = ${p}`, q.actor)
  if (q.action !== undefined) add((p) => `(action = ${p} OR starts_with(action, ${p} || '.'))`, q.action)
  if (q.entityId !== undefined) add((p) => `entity_id = ${p}`, q.entityId)
  if (q.fromMs !== undefined) add((p) => `at_ms >= ${p}`, q.fromMs)
  if (q.toMs !== undefined) add((p) => `at_ms < ${p}`, q.toMs)
  // An unknown cursor finds nothing, as in the embedded list.
  if (q.before !== undefined) add((p) => `ord < (SELECT max(ord) FROM audit WHERE id = ${p})`, q.before)
  params.push(q.limit + 1)
  const rows = await query<{ doc: AuditEntry }>(
    `SELECT doc FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ord DESC LIMIT $${params.length}`,
    params,
  )
  const items = rows.slice(0, q.limit).map((r) => r.doc)
  return { items, nextCursor: rows.length > q.limit ? items.at(-1)!.id : null }
}

export function idempotencyPart(query: Query, readOnly: boolean): Tx['idempotency'] & Flushable {
  let put = new Map<string, IdempotencyRecord>()
  const flush = async () => {
    if (put.size === 0) return
    const rows = [...put.values()]
    put = new Map()
    await upsertIdempotency(query, rows)
  }
  return {
    flush,
    get: async (scope) => {
      const mine = put.get(scope)
      if (mine) return mine
      const rows = await query<{ doc: IdempotencyRecord }>('SELECT doc FROM idempotency WHERE scope = $1', [
        scope,
      ])
      return rows[0]?.doc
    },
    put: async (record) => {
      if (readOnly) throw new PeekWriteError()
      put.delete(record.scope)
      put.set(record.scope, record)
    },
    prune: async (beforeMs) => {
      if (readOnly) throw new PeekWriteError()
      await flush()
      // Every record older than the cut, as the embedded store prunes: controllers' clocks differ a
      // little, so insertion order is not quite age order (an hourly scan of one table).
      await query('DELETE FROM idempotency WHERE created_at_ms < $1', [beforeMs])
    },
  }
}

/** A renewed key moves to the end (a new `ord`), so the order stays age order. */
export async function upsertIdempotency(query: Query, rows: readonly IdempotencyRecord[]): Promise<void> {
  await query(
    `INSERT INTO idempotency (scope, created_at_ms, doc)
     SELECT scope, created_at_ms, doc FROM unnest($1::text[], $2::bigint[], $3::jsonb[])
       WITH ORDINALITY AS u(scope, created_at_ms, doc, n) ORDER BY n
     ON CONFLICT (scope) DO UPDATE
       SET created_at_ms = excluded.created_at_ms, doc = excluded.doc, ord = nextval('idempotency_ord_seq')`,
    [rows.map((r) => r.scope), rows.map((r) => r.createdAtMs), rows.map((r) => JSON.stringify(r))],
  )
}

/** A row-locked counter: the number is held until commit and given back by a rollback. */
export async function nextSequence(query: Query, readOnly: boolean, name: string): Promise<number> {
  if (readOnly) throw new PeekWriteError()
  const rows = await query<{ value: string }>(
    `INSERT INTO capd_sequences (name, value) VALUES ($1, 1)
     ON CONFLICT (name) DO UPDATE SET value = capd_sequences.value + 1 RETURNING value`,
    [name],
  )
  return Number(rows[0]!.value)
}
