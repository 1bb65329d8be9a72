/** Opens the PostgreSQL store named by a URL: checks the URL, reaches the server, migrates, listens. */
import pg from 'pg'
import { StoreFormatError } from '../data.js'
import { PgStore, type PgStoreOptions } from './pg-store.js'
import { migrateSchema } from './schema-migrations.js'

/** The database cannot be used as given (a wrong URL, no server, refused login): the operator must act. */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError'
}

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(not a URL)'
  }
}

export function checkDatabaseUrl(url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new DatabaseUnreachableError(
      `--db must be a postgres:// URL, got ${JSON.stringify(redactUrl(url))}`,
    )
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new DatabaseUnreachableError(`--db must be a postgres:// URL, got ${u.protocol}//…`)
}

/** A pool on `url`, checked with one query; an unreachable server is a DatabaseUnreachableError. */
export async function connectPool(url: string, max = 10): Promise<pg.Pool> {
  checkDatabaseUrl(url)
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 })
  pool.on('error', () => {})
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end().catch(() => {})
    throw new DatabaseUnreachableError(
      `cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`,
    )
  }
  return pool
}

/** Opens the store, applying the schema migrations it lacks (a newer schema is a StoreFormatError). */
export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  const pool = await connectPool(options.url, options.max)
  try {
    await migrateSchema(pool)
    const store = new PgStore(pool, options)
    await store.start()
    return store
  } catch (err) {
    await pool.end().catch(() => {})
    if (err instanceof StoreFormatError) throw err
    throw new DatabaseUnreachableError(`cannot open the PostgreSQL store: ${(err as Error).message}`)
  }
}
