/**
 * One table inside a PostgreSQL transaction. Writes are kept in an overlay (read back by this
 * transaction at once) and flushed at commit in at most three statements per table, so a
 * transaction that writes thousands of rows costs a few round trips, not thousands. Rows read are
 * kept too: under SERIALIZABLE the transaction's snapshot does not move, so a second read of the
 * same row would say the same. So are a whole-table read and each subscriber's rows, which writes
 * keep current: the first read takes the predicate lock SSI needs, a repeat would add nothing but
 * a round trip.
 */
import type { Table } from '../store.js'
import type { Column, TableSpec } from './table-specs.js'

/** Runs one statement in the transaction; rows come back as objects. */
export type Query = <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>

type Pending<T> = { op: 'insert' | 'update'; row: T } | { op: 'delete' }

export class PeekWriteError extends Error {
  constructor() {
    super('peek() must not write')
    this.name = 'PeekWriteError'
  }
}

export class PgTable<T extends { id: string }> implements Table<T> {
  /** Written in this transaction and not yet flushed: what the database will hold at commit. */
  private pending = new Map<string, Pending<T>>()
  /** As the database holds them (undefined: no such row), for ids read or flushed. */
  private readonly known = new Map<string, T | undefined>()
  /** Rows per subscriber (forSubscriber, read ahead), in id order, with this transaction's writes. */
  private readonly bySubscriber = new Map<string, T[]>()
  /** The whole table (list), in id order, with this transaction's writes. */
  private listed: T[] | undefined
  /** The subscriber a row belongs to, for tables with a subscriber_id column. */
  private readonly ownerOf: ((row: T) => string | null) | undefined

  constructor(
    readonly spec: TableSpec,
    private readonly query: Query,
    private readonly readOnly: boolean,
    /** Told of every write (old row, new row), as the embedded tables tell CommitNotes. */
    private readonly written: (old: T | undefined, row: T | undefined) => void | Promise<void> = () => {},
  ) {
    const column = spec.columns.find((c) => c.name === 'subscriber_id')
    this.ownerOf = column && ((row) => column.of(row as never) as string | null)
  }

  get dirty(): boolean {
    return this.pending.size > 0
  }

  async get(id: string): Promise<T | undefined> {
    const p = this.pending.get(id)
    if (p) return p.op === 'delete' ? undefined : p.row
    if (this.known.has(id)) return this.known.get(id)
    const rows = await this.query<{ doc: T }>(`SELECT doc FROM ${this.spec.sql} WHERE id = $1`, [id])
    const row = rows[0]?.doc
    this.known.set(id, row)
    return row
  }

  /** Reads the rows of these ids not yet known in one statement (see Tx.readAhead). */
  async readAhead(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.pending.has(id) && !this.known.has(id))
    if (missing.length === 0) return
    const rows = await this.query<{ id: string; doc: T }>(
      `SELECT id, doc FROM ${this.spec.sql} WHERE id = ANY($1::text[])`,
      [missing],
    )
    for (const id of missing) this.known.set(id, undefined)
    for (const r of rows) this.known.set(r.id, r.doc)
  }

  /** The rows of one subscriber in id order (the table has a subscriber_id column). */
  async forSubscriber(subscriberId: string): Promise<T[]> {
    const cached = this.bySubscriber.get(subscriberId)
    if (cached) return [...cached]
    const rows = await this.where('subscriber_id = $1', [subscriberId])
    this.bySubscriber.set(subscriberId, rows)
    return [...rows]
  }

  /** Reads the rows of these subscribers in one statement, for forSubscriber to answer from. */
  async readAheadBySubscriber(subscriberIds: readonly string[]): Promise<void> {
    await this.flush()
    const missing = [...new Set(subscriberIds)].filter((id) => !this.bySubscriber.has(id))
    if (missing.length === 0) return
    // Not ORDER BY id: with it, a planner short of statistics (a table just loaded) walks the whole
    // primary key in id order to skip the sort, 66 ms at 100k top-ups against 3 ms by subscriber.
    const rows = await this.query<{ subscriber_id: string; doc: T }>(
      `SELECT subscriber_id, doc FROM ${this.spec.sql} WHERE subscriber_id = ANY($1::text[])`,
      [missing],
    )
    for (const id of missing) this.bySubscriber.set(id, [])
    for (const r of rows) this.bySubscriber.get(r.subscriber_id)!.push(r.doc)
    for (const id of missing) this.bySubscriber.get(id)!.sort(byId)
  }

  async list(): Promise<T[]> {
    this.listed ??= await this.where('TRUE', [])
    return [...this.listed]
  }

  async insert(row: T): Promise<void> {
    this.refuseWrite()
    const old = await this.get(row.id)
    if (old) throw new Error(`duplicate id ${row.id}`)
    this.track(undefined, row)
    const before = this.pending.get(row.id)
    // Deleted earlier in this transaction: the database still has it, so it is an update there.
    this.pending.set(row.id, { op: before?.op === 'delete' ? 'update' : 'insert', row })
    await this.written(undefined, row)
  }

  /** As insert, without the look-up of an id this transaction has not seen: the primary key refuses a taken one at flush. */
  async insertNew(row: T): Promise<void> {
    if (this.pending.has(row.id) || this.known.has(row.id)) return this.insert(row)
    this.refuseWrite()
    this.track(undefined, row)
    this.pending.set(row.id, { op: 'insert', row })
    await this.written(undefined, row)
  }

  async update(row: T): Promise<void> {
    this.refuseWrite()
    const old = await this.get(row.id)
    if (!old) throw new Error(`update of missing id ${row.id}`)
    this.track(old, row)
    const before = this.pending.get(row.id)
    this.pending.set(row.id, { op: before?.op === 'insert' ? 'insert' : 'update', row })
    await this.written(old, row)
  }

  async delete(id: string): Promise<void> {
    this.refuseWrite()
    const old = await this.get(id)
    if (!old) return
    this.track(old, undefined)
    if (this.pending.get(id)?.op === 'insert') this.pending.delete(id)
    else this.pending.set(id, { op: 'delete' })
    await this.written(old, undefined)
  }

  /** Rows matching `condition` (SQL over the table's columns, `$n` params), in id order unless `order` says. */
  async where(condition: string, params: unknown[], order = 'id', limit?: number): Promise<T[]> {
    await this.flush()
    const tail = limit === undefined ? '' : ` LIMIT ${Math.trunc(limit)}`
    const rows = await this.query<{ doc: T }>(
      `SELECT doc FROM ${this.spec.sql} WHERE ${condition} ORDER BY ${order}${tail}`,
      params,
    )
    // Read just after the flush: as the database holds them, so later gets need not ask again.
    for (const r of rows) this.known.set(r.doc.id, r.doc)
    return rows.map((r) => r.doc)
  }

  /** Writes the overlay to the database: deletes, then updates, then inserts (a login freed before it is taken). */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return
    const pending = this.pending
    this.pending = new Map()
    const deletes: string[] = []
    const updates: T[] = []
    /** Updates that leave every column as it was (a usage batch's): the document alone is written. */
    const docUpdates: T[] = []
    const inserts: T[] = []
    const { sql, columns } = this.spec
    for (const [id, p] of pending) {
      if (p.op === 'delete') deletes.push(id)
      else if (p.op === 'insert') inserts.push(p.row)
      else (sameColumns(columns, this.known.get(id), p.row) ? docUpdates : updates).push(p.row)
      this.known.set(id, p.op === 'delete' ? undefined : p.row)
    }
    if (deletes.length > 0) await this.query(`DELETE FROM ${sql} WHERE id = ANY($1::text[])`, [deletes])
    for (const [rows, written] of [
      [updates, columns],
      [docUpdates, []],
    ] as const) {
      const sets = ['doc = u.doc', ...written.map((c) => `${c.name} = u.${c.name}`)].join(', ')
      for (const chunk of chunks(rows)) {
        await this.query(`UPDATE ${sql} SET ${sets} FROM ${recordset(written)} WHERE ${sql}.id = u.id`, [
          rowsJson(written, chunk),
        ])
      }
    }
    for (const chunk of chunks(inserts)) await insertRows(this.query, this.spec, chunk)
  }

  /** Keeps the cached reads what a new read would return after this write. */
  private track(old: T | undefined, row: T | undefined): void {
    if (this.listed) place(this.listed, old, row)
    const owner = this.ownerOf
    if (!owner) return
    const from = old && owner(old)
    const to = row && owner(row)
    const before = from == null ? undefined : this.bySubscriber.get(from)
    const after = to == null ? undefined : this.bySubscriber.get(to)
    if (before) place(before, old, undefined)
    if (after) place(after, undefined, row)
  }

  private refuseWrite(): void {
    if (this.readOnly) throw new PeekWriteError()
  }
}

/**
 * `jsonb_to_recordset($1::jsonb) AS u(id text, doc jsonb, …)` for a table's columns: the rows go as
 * one JSON text rather than an array per column, which node-postgres would escape element by
 * element and PostgreSQL parse twice (the array literal, then each document): a quarter less time
 * for a thousand subscribers' update.
 */
function recordset(columns: readonly Column[]): string {
  const defs = ['id text', 'doc jsonb', ...columns.map((c) => `${c.name} ${c.type}`)]
  return `jsonb_to_recordset($1::jsonb) AS u(${defs.join(', ')})`
}

/**
 * Rows per statement at most: a jsonb value holds at most 256 MB, and a plan's edit rewrites every
 * subscriber on the plan in one transaction (5,000 rows of a few kB are a few MB).
 */
export const ROWS_PER_STATEMENT = 5000

function* chunks<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) yield rows.slice(i, i + ROWS_PER_STATEMENT)
}

/** The rows as recordset reads them: each its id, itself as doc, and its columns' values. */
function rowsJson<T extends { id: string }>(columns: readonly Column[], rows: readonly T[]): string {
  return JSON.stringify(
    rows.map((row) => {
      const record: Record<string, unknown> = { id: row.id, doc: row }
      for (const c of columns) record[c.name] = c.of(row as never)
      return record
    }),
  )
}

/** Inserts rows in one statement (a unique key taken twice fails the statement). */
export async function insertRows<T extends { id: string }>(
  query: Query,
  spec: TableSpec,
  rows: readonly T[],
): Promise<void> {
  const names = ['id', 'doc', ...spec.columns.map((c) => c.name)].join(', ')
  await query(`INSERT INTO ${spec.sql} (${names}) SELECT ${names} FROM ${recordset(spec.columns)}`, [
    rowsJson(spec.columns, rows),
  ])
}

/** Whether the row's columns hold what they held in `old`, the row as the database has it. */
function sameColumns<T>(columns: readonly Column[], old: T | undefined, row: T): boolean {
  if (old === undefined) return false
  return columns.every((c) => {
    const a = c.of(old as never)
    const b = c.of(row as never)
    return a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b))
  })
}

/** Id order as the database's (COLLATE "C", byte order: code units for ids without astral characters). */
function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Takes `old` out of rows kept in id order and puts `row` in its place by id. */
function place<T extends { id: string }>(rows: T[], old: T | undefined, row: T | undefined): void {
  if (old) {
    const at = rows.findIndex((r) => r.id === old.id)
    if (at !== -1) rows.splice(at, 1)
  }
  if (!row) return
  // id is COLLATE "C", byte order: JavaScript's string order for ids without astral characters.
  const at = rows.findIndex((r) => r.id > row.id)
  rows.splice(at === -1 ? rows.length : at, 0, row)
}
