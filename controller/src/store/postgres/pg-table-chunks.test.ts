/**
 * A transaction's writes to one table go in statements of at most ROWS_PER_STATEMENT rows (a jsonb
 * value holds at most 256 MB: a plan's edit rewrites all its subscribers at once), and every row
 * arrives, columns and all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logStatements } from '../../testing/pg-statements.js'
import type { Agent } from '../entities.js'
import type { PgStore } from './pg-store.js'
import { ROWS_PER_STATEMENT } from './pg-table.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()

const ROWS = 2 * ROWS_PER_STATEMENT + 1
const agent = (i: number, name = `tower-${i}`): Agent => ({
  id: `agt_${String(i).padStart(6, '0')}`,
  name,
  tokenHash: `hash-${i}`,
  createdAtMs: 1,
})

describe.skipIf(skip !== undefined)(
  `writes in chunks${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 60_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let store: PgStore
    beforeAll(async () => {
      fixture = await pgFixture()
      store = await fixture.open()
    })
    afterAll(() => fixture?.end())

    it(`writes ${ROWS} rows of one transaction in statements of ${ROWS_PER_STATEMENT} at most`, async () => {
      const ids = Array.from({ length: ROWS }, (_, i) => i)
      const statements = async (
        write: (i: number) => (tx: Parameters<Parameters<PgStore['transact']>[0]>[0]) => Promise<void>,
      ) => {
        const log = logStatements(store.pool)
        try {
          await store.transact(async (tx) => {
            for (const i of ids) await write(i)(tx)
          })
        } finally {
          log.stop()
        }
        return log
          .take()
          .flat()
          .map((s) => s.sql.split(' ').slice(0, 3).join(' '))
      }
      const inserts = await statements((i) => (tx) => tx.agents.insert(agent(i)))
      expect(inserts.filter((s) => s === 'INSERT INTO agents')).toHaveLength(3)
      // Every other one with a new token hash (a column), the rest with a new name (the document alone).
      const updates = await statements(
        (i) => (tx) =>
          tx.agents.update(i % 2 ? { ...agent(i), tokenHash: `new-${i}` } : agent(i, `renamed-${i}`)),
      )
      // 5,000 with their column (one statement), 5,001 the document alone (two).
      expect(updates.filter((s) => s === 'UPDATE agents SET')).toHaveLength(3)
      const rows = await store.pool.query<{ id: string; token_hash: string; doc: Agent }>(
        'SELECT id, token_hash, doc FROM agents ORDER BY id',
      )
      expect(rows.rows).toHaveLength(ROWS)
      for (const [i, row] of rows.rows.entries()) {
        const want = i % 2 ? { ...agent(i), tokenHash: `new-${i}` } : agent(i, `renamed-${i}`)
        expect(row.doc).toEqual(want)
        expect(row.token_hash).toBe(want.tokenHash)
      }
    })
  },
)
