/**
 * Reads by id stay reads by index once the planner knows how small a table is. A whole-table scan
 * would lock the whole table for SSI, so two transactions that each read and touch their own agent
 * (as every usage batch and every hello does) would conflict, and one of them run again. Run as a
 * count over pairs: an index page both read through can still make one pair conflict.
 */
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../testing/test-app.js'
import { connectPool, openPgStore } from './open-pg-store.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()
const AGENTS = 20

/** Resolves for everyone once `n` have arrived; later arrivals (a retried transaction) pass at once. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return () => {
    if (++arrived >= n) open()
    return opened
  }
}

describe.skipIf(skip !== undefined)(
  `reads by index on analysed tables${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 30_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let store: PgStore
    const agentIds: string[] = []
    beforeAll(async () => {
      fixture = await pgFixture()
      store = await fixture.open()
      const t = await testApp({ store })
      for (let i = 0; i < AGENTS; i++)
        agentIds.push((await t.call('POST', '/agents', { name: `tower-${i}` })).body.id)
      await t.hub.drain()
      // As autovacuum would sooner or later: the planner now knows the table is a page or two.
      await store.pool.query('ANALYZE')
    })
    afterAll(() => fixture?.end())

    it("starts the store's connections with index reads only, after the URL's own options", async () => {
      const url = new URL(fixture.db.url)
      url.searchParams.set('options', '-c statement_timeout=12345')
      const own = await openPgStore({ url: url.toString(), max: 1 })
      const plain = await connectPool(url.toString(), 1)
      try {
        const show = async (pool: pg.Pool) =>
          (
            await pool.query<{ s: string; t: string }>(
              "SELECT current_setting('enable_seqscan') AS s, current_setting('statement_timeout') AS t",
            )
          ).rows[0]
        expect(await show(own.pool)).toEqual({ s: 'off', t: '12345ms' })
        // A backup's or a migration's pool reads whole tables as the planner likes.
        expect(await show(plain)).toEqual({ s: 'on', t: '12345ms' })
      } finally {
        await own.close()
        await plain.end()
      }
    })

    it('two transactions each touching its own agent seldom conflict', async () => {
      // Scanned whole, each agent's read locks the table: every pair conflicts, one of each runs
      // again. By index, only a shared index page can (an update that found no room in its page).
      const retries = store.retries
      for (let pair = 0; pair < AGENTS / 2; pair++) {
        const bothRead = barrier(2)
        await Promise.all(
          agentIds.slice(pair * 2, pair * 2 + 2).map((id) =>
            store.transact(async (tx) => {
              const agent = (await tx.agents.get(id))!
              await bothRead()
              await tx.agents.update({ ...agent, name: `${agent.name} (renamed)` })
            }),
          ),
        )
      }
      expect(store.retries - retries).toBeLessThanOrEqual(2)
      const names = await store.peek(async (tx) => (await tx.agents.list()).map((a) => a.name))
      expect(names.filter((n) => n.endsWith('(renamed)'))).toHaveLength(AGENTS)
    })
  },
)
