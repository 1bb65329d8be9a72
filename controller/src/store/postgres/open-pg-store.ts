/** Opens the PostgreSQL store named by a URL: checks the URL, reaches the server, migrates, listens. */
import pg from 'pg'
import { StoreFormatError } from '../data.js'
import { PgStore, type PgStoreOptions } from './pg-store.js'
import { migrateSchema } from './schema-migrations.js'

/** The database cannot be used as given (a wrong URL, refused login, no such database): the operator must act. */
export class DatabaseUnreachableError extends Error {
  override readonly name: string = 'DatabaseUnreachableError'
}

/**
 * The database cannot be reached yet (refused or timed-out connection, a server starting or
 * shutting down, too many connections): trying again later may succeed, no operator needed.
 */
export class DatabaseNotReadyError extends DatabaseUnreachableError {
  override readonly name = 'DatabaseNotReadyError'
}

/** SQLSTATE classes that waiting can mend: connection exception, insufficient resources. */
const TRANSIENT_CLASSES = new Set(['08', '53'])
/** Admin/crash shutdown, cannot connect now (starting up), idle session timeout. */
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '57P05'])

/**
 * Whether a failure to reach or open the database may pass by itself: a network error or timeout
 * (no SQLSTATE) or a server not ready. A refused login (28P01, 28000), a missing database (3D000)
 * or any other SQL error needs the operator.
 */
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
  if (sqlState === undefined) return true
  return TRANSIENT_CLASSES.has(sqlState.slice(0, 2)) || TRANSIENT_CODES.has(sqlState)
}

function dbError(message: string, cause: unknown): DatabaseUnreachableError {
  return isTransientDbError(cause)
    ? new DatabaseNotReadyError(message, { cause })
    : new DatabaseUnreachableError(message, { cause })
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

/**
 * Rows found by index, also in tables small enough that the planner would scan them whole once it
 * has their statistics (a hundred agents, a few plans), and in a batch's UPDATE, whose join with
 * the rows sent would otherwise hash the whole table. Under SERIALIZABLE a whole-table scan locks
 * the whole table for SSI: two transactions that each read and touch their own agent (every usage
 * batch does) then conflict, and a storm of agents' hellos ran thirty retries dry. The store's own
 * connections start with these (a refused one fails the connection, never silently); a backup's
 * or a migration's, which read whole tables on purpose, do not.
 */
export const INDEX_ONLY = ['enable_seqscan=off', 'enable_hashjoin=off', 'enable_mergejoin=off'] as const

/**
 * `url` with `settings` added to its startup `options` after those it gives (node-postgres takes
 * what the URL says over its own config, so they go in the URL).
 */
function withSettings(url: string, settings: readonly string[]): string {
  if (settings.length === 0) return url
  const u = new URL(url)
  const given = u.searchParams.get('options')
  u.searchParams.set('options', [given, ...settings.map((s) => `-c ${s}`)].filter(Boolean).join(' '))
  return u.toString()
}

/**
 * A pool on `url`, each connection started with `settings` (PostgreSQL run-time parameters),
 * checked with one query; an unreachable server is a DatabaseNotReadyError.
 */
export async function connectPool(url: string, max = 10, settings: readonly string[] = []): Promise<pg.Pool> {
  checkDatabaseUrl(url)
  const pool = new pg.Pool({
    connectionString: withSettings(url, settings),
    max,
    connectionTimeoutMillis: 10_000,
  })
  pool.on('error', () => {})
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end().catch(() => {})
    throw dbError(`cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, err)
  }
  return pool
}

/** Opens the store, applying the schema migrations it lacks (a newer schema is a StoreFormatError). */
export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  const pool = await connectPool(options.url, options.max, INDEX_ONLY)
  try {
    await migrateSchema(pool)
    const store = new PgStore(pool, options)
    await store.start()
    return store
  } catch (err) {
    await pool.end().catch(() => {})
    if (err instanceof StoreFormatError) throw err
    throw dbError(`cannot open the PostgreSQL store: ${(err as Error).message}`, err)
  }
}
