/** The PostgreSQL schema's migrations on a real server: in order, once, racing, all or nothing, never down. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateCommand } from '../../commands/migrate-command.js'
import { StoreFormatError } from '../data.js'
import { runJobOnce } from '../job-once.js'
import {
  connectPool,
  DatabaseNotReadyError,
  DatabaseUnreachableError,
  isTransientDbError,
} from './open-pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'
import { migrateSchema, SCHEMA_MIGRATIONS, SCHEMA_VERSION } from './schema-migrations.js'

const skip = await pgSkipReason()

describe.skipIf(skip)('schema migrations', { timeout: 60_000 }, () => {
  let fixture: Awaited<ReturnType<typeof pgFixture>>
  beforeAll(async () => {
    fixture = await pgFixture()
  })
  afterAll(() => fixture?.end())

  it('are applied once by controllers starting together, and again change nothing', async () => {
    const pools = await Promise.all([1, 2, 3].map(() => connectPool(fixture.db.url, 2)))
    try {
      const applied = await Promise.all(pools.map((pool) => migrateSchema(pool)))
      expect(applied.flat().sort()).toEqual(SCHEMA_MIGRATIONS.map((m) => m.version))
      expect(await migrateSchema(pools[0]!)).toEqual([])
      const { rows } = await pools[0]!.query('SELECT version FROM capd_schema_migrations ORDER BY version')
      expect(rows.map((r) => r.version)).toEqual(SCHEMA_MIGRATIONS.map((m) => m.version))
    } finally {
      for (const pool of pools) await pool.end()
    }
  })

  it('apply a migration whole or not at all', async () => {
    const pool = await connectPool(fixture.db.url, 1)
    try {
      const broken = [
        ...SCHEMA_MIGRATIONS,
        { version: SCHEMA_VERSION + 1, name: 'half', sql: 'CREATE TABLE half_made (x int); SELECT 1/0;' },
      ]
      await expect(migrateSchema(pool, broken)).rejects.toThrow(/division by zero/)
      const { rows } = await pool.query(
        `SELECT to_regclass('half_made') AS t, max(version) AS v FROM capd_schema_migrations`,
      )
      expect(rows[0]).toEqual({ t: null, v: SCHEMA_VERSION })
    } finally {
      await pool.end()
    }
  })

  it('are applied by capd migrate --db, which exits 2 on a database it cannot use', async () => {
    expect(await migrateCommand(['--db', fixture.db.url])).toBe(0)
    expect(await migrateCommand(['--db', 'postgres://nobody@127.0.0.1:1/capd'])).toBe(2)
    expect(await migrateCommand(['--db', fixture.db.url, '--data', '/tmp/x'])).toBe(2)
  })

  it('refuse a database a later release migrated', async () => {
    const pool = await connectPool(fixture.db.url, 1)
    try {
      const later = [
        ...SCHEMA_MIGRATIONS,
        { version: SCHEMA_VERSION + 1, name: 'later', sql: 'CREATE TABLE later (x int)' },
      ]
      expect(await migrateSchema(pool, later)).toEqual([SCHEMA_VERSION + 1])
      const refused = migrateSchema(pool)
      await expect(refused).rejects.toBeInstanceOf(StoreFormatError)
      await expect(migrateSchema(pool)).rejects.toThrow(
        `schema version ${SCHEMA_VERSION + 1}, newer than this capd's ${SCHEMA_VERSION}`,
      )
      expect(await migrateCommand(['--db', fixture.db.url])).toBe(2)
      await pool.query('DELETE FROM capd_schema_migrations WHERE version = $1', [SCHEMA_VERSION + 1])
    } finally {
      await pool.end()
    }
  })

  it('3 finds the subscribers moved away from an agent in rows written before it', async () => {
    const older = await pgFixture()
    const pool = await connectPool(older.db.url, 1)
    try {
      expect(await migrateSchema(pool, SCHEMA_MIGRATIONS.slice(0, 2))).toEqual([1, 2])
      const row = (id: string, formerAgentIds?: string[]) => ({
        id,
        login: id,
        agentId: 'agt_2',
        planId: 'pln_1',
        balance: { amount: 0, currency: 'USD' },
        ...(formerAgentIds ? { formerAgentIds } : {}),
      })
      for (const r of [row('sub_1', ['agt_1']), row('sub_2'), row('sub_3', ['agt_3', 'agt_1'])]) {
        await pool.query(
          `INSERT INTO subscribers (id, doc, login_lower, agent_id, plan_id, deleted, balance)
           VALUES ($1, $2, $1, 'agt_2', 'pln_1', false, 0)`,
          [r.id, r],
        )
      }
      expect(await migrateSchema(pool, SCHEMA_MIGRATIONS.slice(0, 3))).toEqual([3])
      const store = await older.open()
      const moved = (agentId: string) =>
        store.transact(async (tx) => (await tx.subscribers.movedFrom(agentId)).map((s) => s.id))
      expect(await moved('agt_1')).toEqual(['sub_1', 'sub_3'])
      expect(await moved('agt_3')).toEqual(['sub_3'])
      expect(await moved('agt_2')).toEqual([])
    } finally {
      await pool.end()
      await older.end()
    }
  })

  it('4 leaves room in the pages of usage history, where each batch rewrites its rows', async () => {
    const pool = await connectPool(fixture.db.url, 1)
    try {
      await migrateSchema(pool)
      const { rows } = await pool.query<{ relname: string; reloptions: string[] | null }>(
        `SELECT relname, reloptions FROM pg_class
         WHERE relname IN ('usage_days', 'usage_months', 'subscribers') ORDER BY relname`,
      )
      expect(rows.map((r) => [r.relname, r.reloptions])).toEqual([
        ['subscribers', ['fillfactor=70']],
        ['usage_days', ['fillfactor=70']],
        ['usage_months', ['fillfactor=70']],
      ])
    } finally {
      await pool.end()
    }
  })

  it('say which server could not be reached, without its password', async () => {
    const err = await connectPool('postgres://capd:hunter2@127.0.0.1:1/capd').catch((e: Error) => e)
    expect(err).toBeInstanceOf(DatabaseNotReadyError)
    expect((err as Error).message).toMatch(
      /cannot reach PostgreSQL at postgres:\/\/capd:\*\*\*@127\.0\.0\.1:1\/capd/,
    )
    await expect(connectPool('http://example.net/db')).rejects.toThrow(/must be a postgres:\/\/ URL/)
  })

  it('tell what waiting mends (no server) from what it cannot (no such database or role)', async () => {
    const other = (change: (u: URL) => void) => {
      const u = new URL(fixture.db.url)
      change(u)
      return u.toString()
    }
    for (const url of [
      other((u) => (u.pathname = '/capd_no_such_database')),
      other((u) => (u.username = 'capd_no_such_role')),
    ]) {
      const err = await connectPool(url, 1).catch((e: Error) => e)
      expect(err).toBeInstanceOf(DatabaseUnreachableError)
      expect(err).not.toBeInstanceOf(DatabaseNotReadyError)
      expect(['3D000', '28000', '28P01']).toContain(((err as Error).cause as { code?: string }).code)
    }
    const refused = await connectPool('postgres://capd@127.0.0.1:1/capd', 1).catch((e: Error) => e)
    expect(refused).toBeInstanceOf(DatabaseNotReadyError)
    expect(((refused as Error).cause as { code?: string }).code).toBe('ECONNREFUSED')
    // The server's own "not now" answers are worth waiting for; a refused login or SQL error is not.
    expect(['57P03', '53300', '08006'].map((code) => isTransientDbError({ code }))).toEqual([
      true,
      true,
      true,
    ])
    expect(['28P01', '28000', '3D000', '42501'].map((code) => isTransientDbError({ code }))).toEqual([
      false,
      false,
      false,
      false,
    ])
  })

  it('run a periodic job on one controller at a time', async () => {
    const [a, b] = [await fixture.open(), await fixture.open()]
    let running = 0
    let most = 0
    let ran = 0
    const job = async () => {
      running++
      ran++
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, 500))
      running--
    }
    await Promise.all(Array.from({ length: 10 }, (_, i) => runJobOnce(i % 2 ? a : b, 'housekeeping', job)))
    expect(most).toBe(1)
    expect(ran).toBeGreaterThanOrEqual(1)
    expect(ran).toBeLessThan(10)
    // Once let go, the next turn runs.
    expect(await runJobOnce(b, 'housekeeping', async () => 'ran')).toBe('ran')
  })
})
