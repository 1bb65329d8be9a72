/**
 * A throw-away PostgreSQL database per test file: created empty on the server named by
 * `CAPD_TEST_DATABASE_URL` (default: the local server, trust auth), dropped afterwards. Without a
 * reachable server, tests skip and say why; under CI=true that is a failure instead.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const TEST_SERVER_URL =
  process.env.CAPD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  /** A connection URL to the new, empty database. */
  readonly url: string
  readonly name: string
  /** Drops it, ending any connection still open to it. */
  drop(): Promise<void>
}

/** Why PostgreSQL tests cannot run here, or undefined when the server answers. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (err) {
    return `no PostgreSQL server at ${TEST_SERVER_URL} (${(err as Error).message}); set CAPD_TEST_DATABASE_URL`
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Creates an empty database with a random name on the test server, named after the database in
 * CAPD_TEST_DATABASE_URL when that is not `postgres` (so a CI run can drop all of its own).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = new URL(TEST_SERVER_URL).pathname.slice(1)
  const prefix = base && base !== 'postgres' ? base : 'capd_test'
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  await adminQuery(`CREATE DATABASE ${name}`)
  const url = new URL(TEST_SERVER_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}
