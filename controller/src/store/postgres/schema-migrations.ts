/**
 * The PostgreSQL schema's versioned migrations: each a numbered SQL text, applied in order, each in
 * its own transaction under one advisory lock, so controllers starting together never race.
 */
import type pg from 'pg'
import { StoreFormatError } from '../data.js'
import { PRESENCE_SCHEMA } from './pg-agent-presence.js'
import { USAGE_JOURNAL_SCHEMA } from './pg-usage-journal.js'
import { SCHEMA_V1 } from './schema-v1.js'

export interface SchemaMigration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

export const SCHEMA_MIGRATIONS: readonly SchemaMigration[] = [
  { version: 1, name: 'tables, constraints and the invoice gap trigger', sql: SCHEMA_V1 },
  { version: 2, name: 'agent presence shared by controllers', sql: PRESENCE_SCHEMA },
  {
    version: 3,
    name: 'subscribers by the agents they moved away from',
    // A hello reads the subscribers that left its agent: by this index, not by the whole table
    // (whose predicate lock would make every usage batch committed meanwhile a serialization failure),
    // and without GIN's pending list (fastupdate), whose scans lock the whole index for SSI.
    // Room left in each page for the next version of its rows: a usage batch's updates stay HOT
    // (no new index entries), which also keeps concurrent batches from touching the same index pages.
    sql: `ALTER TABLE subscribers ADD COLUMN former_agent_ids jsonb;
      UPDATE subscribers SET former_agent_ids = doc->'formerAgentIds' WHERE doc ? 'formerAgentIds';
      CREATE INDEX subscribers_former_agents ON subscribers USING gin (former_agent_ids)
        WITH (fastupdate = off);
      ALTER TABLE subscribers SET (fillfactor = 70);`,
  },
  {
    version: 4,
    name: 'room for the next version of usage history rows',
    // A day's row is written by every usage batch of that day: with room in its page, the update is
    // HOT (no new entries in its three indexes). Pages written from now on keep the room; older
    // days are seldom written again.
    sql: `ALTER TABLE usage_days SET (fillfactor = 70);
      ALTER TABLE usage_months SET (fillfactor = 70);`,
  },
  {
    version: 5,
    name: 'room for the next version of agents and usage marks',
    // Each written by every usage batch of its agent. A HOT update adds no index entry, so it does
    // not write into an index page another agent's transaction read its own row through: under SSI
    // such a page is a conflict between two agents that share nothing.
    sql: `ALTER TABLE agents SET (fillfactor = 50);
      ALTER TABLE usage_marks SET (fillfactor = 50);`,
  },
  { version: 6, name: 'the usage journal: usage acked, booked after', sql: USAGE_JOURNAL_SCHEMA },
]

export const SCHEMA_VERSION = SCHEMA_MIGRATIONS.at(-1)!.version

/** The advisory lock key every capd migration holds (any constant; "capd" in ASCII). */
const MIGRATION_LOCK = 0x63617064

/**
 * Brings the database to SCHEMA_VERSION; returns the versions applied (none when it was current).
 * A database at a version this build does not know was migrated by a later capd: refused, as the
 * embedded store refuses a newer document (StoreFormatError).
 */
export async function migrateSchema(
  pool: pg.Pool,
  migrations: readonly SchemaMigration[] = SCHEMA_MIGRATIONS,
): Promise<number[]> {
  const latest = migrations.at(-1)?.version ?? 0
  const applied: number[] = []
  const client = await pool.connect()
  try {
    for (;;) {
      await client.query('BEGIN')
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
        await client.query(
          `CREATE TABLE IF NOT EXISTS capd_schema_migrations (
             version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
        )
        const { rows } = await client.query<{ v: number | null }>(
          'SELECT max(version) AS v FROM capd_schema_migrations',
        )
        const current = rows[0]?.v ?? 0
        if (current > latest) {
          throw new StoreFormatError(
            `the database has schema version ${current}, newer than this capd's ${latest}: a later release ` +
              'migrated it, and capd never downgrades a database. Run that release again.',
          )
        }
        const next = migrations.find((m) => m.version > current)
        if (!next) {
          await client.query('COMMIT')
          return applied
        }
        await client.query(next.sql)
        await client.query('INSERT INTO capd_schema_migrations (version, name) VALUES ($1, $2)', [
          next.version,
          next.name,
        ])
        await client.query('COMMIT')
        applied.push(next.version)
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      }
    }
  } finally {
    client.release()
  }
}
