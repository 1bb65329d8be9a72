/**
 * The database as the embedded store's document and back: moving up from the data dir (load) or
 * taking a copy out (dump). A load fills an empty database in one transaction or changes nothing.
 */
import type pg from 'pg'
import { DATA_FORMAT, DATA_VERSION, type Data, emptyData } from '../data.js'
import type { AuditEntry, IdempotencyRecord } from '../entities.js'
import { insertAudit, upsertIdempotency } from './pg-side-tables.js'
import { insertRows, type Query, ROWS_PER_STATEMENT } from './pg-table.js'
import { TABLE_SPECS } from './table-specs.js'

/** Rows per statement when loading: keeps each statement's parameters to a few MB. */
const CHUNK = ROWS_PER_STATEMENT

export class DatabaseNotEmptyError extends Error {
  override readonly name = 'DatabaseNotEmptyError'
}

/**
 * The snapshot held usage acked and not yet booked (see domain/usage-fold.ts). The embedded store
 * has no journal, so a copy taken then would lose it: a running controller books it within a
 * second, and a copy taken after holds it on the books.
 */
export class UsageNotBookedError extends Error {
  override readonly name = 'UsageNotBookedError'
}

/** Every table as of one snapshot, in the document's shape. */
export async function dumpData(pool: pg.Pool): Promise<Data> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const journalled = await client.query<{ n: string }>('SELECT count(*) AS n FROM usage_journal')
    const pending = Number(journalled.rows[0]!.n)
    if (pending > 0) {
      throw new UsageNotBookedError(
        `${pending} usage batches are acked but not yet booked; a running controller books them ` +
          'within a second (start one on this database if none runs), then take the copy again',
      )
    }
    const data = emptyData()
    for (const spec of TABLE_SPECS) {
      const { rows } = await client.query<{ id: string; doc: unknown }>(
        `SELECT id, doc FROM ${spec.sql} ORDER BY id`,
      )
      const table = data[spec.key] as Record<string, unknown>
      for (const r of rows) table[r.id] = r.doc
    }
    data.audit = (await client.query<{ doc: AuditEntry }>('SELECT doc FROM audit ORDER BY ord')).rows.map(
      (r) => r.doc,
    )
    for (const r of (
      await client.query<{ doc: IdempotencyRecord }>('SELECT doc FROM idempotency ORDER BY ord')
    ).rows)
      data.idempotency[r.doc.scope] = r.doc
    for (const r of (
      await client.query<{ name: string; value: string }>('SELECT name, value FROM capd_sequences')
    ).rows)
      data.sequences[r.name] = Number(r.value)
    const meta = await client.query<{ value: Data['migrations'] }>(
      `SELECT value FROM capd_meta WHERE key = 'migrations'`,
    )
    data.migrations = meta.rows[0]?.value ?? []
    await client.query('COMMIT')
    return data
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/** Fills an empty database with `data`; refuses (and changes nothing) if any table holds a row. */
export async function loadData(pool: pg.Pool, data: Data): Promise<void> {
  if (data.format !== DATA_FORMAT || data.version !== DATA_VERSION)
    throw new Error(`can only load a capd store of version ${DATA_VERSION} (migrate it first)`)
  const client = await pool.connect()
  const query: Query = async (sql, params) => (await client.query(sql, params)).rows
  try {
    await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE')
    for (const sql of [
      ...TABLE_SPECS.map((s) => s.sql),
      'audit',
      'idempotency',
      'capd_sequences',
      'usage_journal',
    ]) {
      const rows = await query(`SELECT 1 FROM ${sql} LIMIT 1`)
      if (rows.length > 0)
        throw new DatabaseNotEmptyError(
          `the database is not empty (table ${sql} has rows): load only into a new one`,
        )
    }
    for (const spec of TABLE_SPECS) {
      const rows = Object.values(data[spec.key] as Record<string, { id: string }>)
      for (let i = 0; i < rows.length; i += CHUNK) await insertRows(query, spec, rows.slice(i, i + CHUNK))
    }
    for (let i = 0; i < data.audit.length; i += CHUNK)
      await insertAudit(query, data.audit.slice(i, i + CHUNK))
    const records = Object.values(data.idempotency)
    for (let i = 0; i < records.length; i += CHUNK)
      await upsertIdempotency(query, records.slice(i, i + CHUNK))
    const sequences = Object.entries(data.sequences)
    if (sequences.length > 0)
      await query('INSERT INTO capd_sequences (name, value) SELECT * FROM unnest($1::text[], $2::bigint[])', [
        sequences.map(([name]) => name),
        sequences.map(([, value]) => value),
      ])
    await query(`INSERT INTO capd_meta (key, value) VALUES ('migrations', $1)`, [
      JSON.stringify(data.migrations),
    ])
    await client.query('COMMIT')
    // The planner's statistics for what was loaded now, not at autovacuum's next round: without
    // them it guesses badly. Only a help: the load stands without it.
    await client.query('ANALYZE').catch(() => {})
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
