/**
 * `capd backup --db` and `capd restore --db`: a PostgreSQL store in the same backup file as a data
 * dir's, and a backup (of either store) loaded into an empty database — how an ISP moves up.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { type BackupHeader, decodeBackup, encodeBackup } from '../backup-file.js'
import { type Data, StoreFormatError } from '../data.js'
import type { Migration } from '../migrations.js'
import { migrateDocument } from '../migrations.js'
import { RestoreRefused } from '../restore.js'
import type { Doc } from '../store-reader.js'
import { DatabaseNotEmptyError, dumpData, loadData, UsageNotBookedError } from './dump-load.js'
import { connectPool, redactUrl } from './open-pg-store.js'
import { migrateSchema, SCHEMA_VERSION } from './schema-migrations.js'

export interface PgBackup {
  text: string
  header: BackupHeader
}

/**
 * The whole store as of one snapshot (dumpData reads every table in one REPEATABLE READ, READ ONLY
 * transaction), so a backup taken while controllers write is a state the database was in. Changes
 * nothing: a database at another schema version is refused, never migrated.
 */
export async function takePgBackup(
  url: string,
  meta: { capdVersion: string; now?: () => Date; bookedWaitMs?: number },
): Promise<PgBackup> {
  const pool = await connectPool(url, 1)
  try {
    const version = await schemaVersion(pool)
    if (version === 0) throw new StoreFormatError(`${redactUrl(url)} holds no capd store (no capd schema)`)
    if (version !== SCHEMA_VERSION) {
      throw new StoreFormatError(
        `${redactUrl(url)} has schema version ${version}; this capd backs up version ${SCHEMA_VERSION}` +
          (version < SCHEMA_VERSION
            ? ' (run `capd migrate --db …` first)'
            : ' (use the capd that migrated it)'),
      )
    }
    const data = await dumpBooked(pool, meta.bookedWaitMs ?? BOOKED_WAIT_MS)
    return encodeBackup(data as unknown as Doc, {
      capdVersion: meta.capdVersion,
      createdAt: (meta.now ?? (() => new Date()))(),
    })
  } finally {
    await pool.end()
  }
}

/** Usage journalled at a snapshot is booked within a second while a controller runs: wait that long. */
const BOOKED_WAIT_MS = 5000

/** A snapshot with every acked batch on the books: the first one within `waitMs`, else refused. */
async function dumpBooked(pool: pg.Pool, waitMs: number): Promise<Data> {
  const until = Date.now() + waitMs
  for (;;) {
    try {
      return await dumpData(pool)
    } catch (err) {
      if (!(err instanceof UsageNotBookedError) || Date.now() >= until) throw err
      await sleep(100)
    }
  }
}

export interface PgRestored {
  header: BackupHeader
  /** Store-format upgrades applied to the document before loading (an older store's backup). */
  migrated: Migration[]
}

/**
 * Loads a backup into an empty database: the file is checked whole and brought to this release's
 * store version (as `capd migrate` would) before the database is touched; then the schema is
 * migrated and every row loaded in one transaction. A database holding any capd row, or tables
 * that are not capd's, is refused and left as it was.
 */
export async function restorePgBackup(
  bytes: Buffer,
  source: string,
  url: string,
  { capdVersion, now = new Date() }: { capdVersion: string; now?: Date },
): Promise<PgRestored> {
  const { header, doc } = decodeBackup(bytes, source)
  const { doc: data, applied } = migrateDocument(doc, source, { atMs: now.getTime(), capdVersion })
  // The log version of the data dir it came from; PostgreSQL counts no such thing.
  delete data.committedVersion
  const pool = await connectPool(url, 1)
  try {
    const version = await schemaVersion(pool)
    if (version === 0) {
      const foreign = await foreignTables(pool)
      if (foreign.length > 0) {
        throw new RestoreRefused(
          `${redactUrl(url)} is not empty and not a capd database (tables ${foreign.slice(0, 5).join(', ')}` +
            `${foreign.length > 5 ? ', …' : ''}); restore into a new database (createdb)`,
        )
      }
    }
    if (version > SCHEMA_VERSION) {
      throw new StoreFormatError(
        `${redactUrl(url)} has schema version ${version}, newer than this capd's ${SCHEMA_VERSION}`,
      )
    }
    // Refused before migrating, so a non-empty database at an older schema is not changed either.
    if (version > 0) await refuseNonEmpty(pool, url)
    await migrateSchema(pool)
    try {
      await loadData(pool, data)
    } catch (err) {
      if (err instanceof DatabaseNotEmptyError) throw new RestoreRefused(`${redactUrl(url)}: ${err.message}`)
      throw err
    }
    return { header, migrated: applied }
  } finally {
    await pool.end()
  }
}

/** The capd schema version of the database; 0 when it has no capd schema. */
async function schemaVersion(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ t: string | null }>(
    `SELECT to_regclass('capd_schema_migrations')::text AS t`,
  )
  if (!rows[0]?.t) return 0
  const v = await pool.query<{ v: number | null }>('SELECT max(version) AS v FROM capd_schema_migrations')
  return v.rows[0]?.v ?? 0
}

async function foreignTables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  )
  return rows.map((r) => r.name)
}

/** Any row in a capd table (its bookkeeping tables aside) refuses the restore. */
async function refuseNonEmpty(pool: pg.Pool, url: string): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
        AND table_name NOT IN ('capd_schema_migrations', 'capd_meta') ORDER BY 1`,
  )
  for (const { name } of rows) {
    const found = await pool.query(`SELECT 1 FROM "${name.replace(/"/g, '""')}" LIMIT 1`)
    if (found.rows.length > 0) {
      throw new RestoreRefused(
        `${redactUrl(url)} is not empty (table ${name} has rows): restore only into a new database`,
      )
    }
  }
}
