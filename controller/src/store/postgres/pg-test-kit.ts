/** What the PostgreSQL store's tests share: whether they can run here, and a store on a fresh database. */
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../testing/pg-database.js'
import { openPgStore } from './open-pg-store.js'
import type { PgStore } from './pg-store.js'

/** Why these tests skip here, or undefined; under CI=true a missing server fails instead. */
export async function pgSkipReason(): Promise<string | undefined> {
  const reason = await postgresUnavailable()
  if (reason && process.env.CI === 'true')
    throw new Error(`CI=true, so PostgreSQL tests must run, but ${reason}`)
  return reason
}

/** A fresh database and the stores opened on it (closed, and the database dropped, by `end`). */
export async function pgFixture(): Promise<{
  db: TestDatabase
  open(): Promise<PgStore>
  end(): Promise<void>
}> {
  const db = await createTestDatabase()
  const stores: PgStore[] = []
  return {
    db,
    open: async () => {
      const store = await openPgStore({ url: db.url, max: 4 })
      stores.push(store)
      return store
    },
    end: async () => {
      for (const s of stores) await s.close().catch(() => {})
      await db.drop()
    },
  }
}
