/**
 * Races between a presence renewal and a session ending and starting again, on a real server: the
 * renewal's snapshot goes stale mid-way, and the live newer session must never be closed.
 */
import { silentLogger } from '@capd/log'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPool } from '../store/postgres/open-pg-store.js'
import { PgAgentPresence } from '../store/postgres/pg-agent-presence.js'
import { pgFixture, pgSkipReason } from '../store/postgres/pg-test-kit.js'
import { migrateSchema } from '../store/postgres/schema-migrations.js'
import { SharedPresence } from './shared-presence.js'

const skip = await pgSkipReason()

/** A pool whose n-th query (counting only those of the renewal) runs `before`/`after` hooks. */
function hookedPool(pool: pg.Pool) {
  const hooks = new Map<number, { before?: () => Promise<void>; after?: () => Promise<void> }>()
  let counted = 0
  let armed = false
  let inHook = false
  const query = async (...args: unknown[]) => {
    const hook = armed && !inHook ? hooks.get(++counted) : undefined
    const run = async (f?: () => Promise<void>) => {
      inHook = true
      try {
        await f?.()
      } finally {
        inHook = false
      }
    }
    await run(hook?.before)
    const result = await (pool.query as (...a: unknown[]) => Promise<unknown>)(...args)
    await run(hook?.after)
    return result
  }
  return {
    pool: { query } as unknown as pg.Pool,
    arm(n: number, at: { before?: () => Promise<void>; after?: () => Promise<void> }) {
      hooks.set(n, at)
      armed = true
      counted = 0
    },
    disarm() {
      armed = false
      hooks.clear()
    },
  }
}

describe.skipIf(skip !== undefined)(
  `shared presence under races${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 30_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let pool: pg.Pool
    beforeAll(async () => {
      fixture = await pgFixture()
      pool = await connectPool(fixture.db.url, 4)
      await migrateSchema(pool)
    })
    afterAll(async () => {
      await pool?.end()
      await fixture?.end()
    })

    const holder = async (agentId: string) =>
      (await pool.query('SELECT session_id FROM agent_presence WHERE agent_id = $1', [agentId])).rows[0]
        ?.session_id as string | undefined

    const hub = (p: pg.Pool) => {
      const replaced: string[] = []
      const presence = new SharedPresence({
        presence: new PgAgentPresence(p, 20_000),
        logger: silentLogger,
        intervalMs: 3_600_000,
        replaced: (id) => replaced.push(id),
        changed: () => {},
      })
      return { presence, replaced }
    }

    it('keeps the newer session when the one a renewal read ends and the agent comes back meanwhile', async () => {
      const hooked = hookedPool(pool)
      const { presence, replaced } = hub(hooked.pool)
      const agentId = 'agent-race'
      await presence.claimed(agentId)
      const first = await holder(agentId)
      // The renewal has read S1; before its update S1 ends (its row goes), and after its look at
      // the table (no row: "vanished") the agent reconnects as S2, which claims the row.
      hooked.arm(1, { before: () => presence.released(agentId) })
      hooked.arm(2, { after: () => presence.claimed(agentId) })
      await presence.tick()
      hooked.disarm()
      const second = await holder(agentId)
      expect(second).toBeDefined()
      expect(second).not.toBe(first)
      // The next renewal finds S2's own row: nothing to close.
      await presence.tick()
      await presence.tick()
      expect(replaced).toEqual([])
      expect(await holder(agentId)).toBe(second)
      expect(await presence.hasNow(agentId)).toBe(true)
      presence.stop()
    })

    it('keeps a session whose claim failed when an older session elsewhere still holds the row', async () => {
      let failClaims = true
      const flaky = {
        query: (...args: unknown[]) =>
          failClaims && String(args[0]).startsWith('INSERT')
            ? Promise.reject(new Error('connection lost'))
            : (pool.query as (...a: unknown[]) => Promise<unknown>)(...args),
      } as unknown as pg.Pool
      const agentId = 'agent-flaky'
      // Another controller's session of the agent, still renewed there (its socket not yet dead).
      const other = new PgAgentPresence(pool, 20_000)
      await other.claim(agentId, 'older-elsewhere')
      const { presence, replaced } = hub(flaky)
      await presence.claimed(agentId)
      await presence.tick()
      expect(replaced).toEqual([])
      failClaims = false
      await presence.tick()
      await presence.tick()
      expect(replaced).toEqual([])
      expect(await holder(agentId)).not.toBe('older-elsewhere')
      // The older one now learns it was replaced.
      expect(await other.renew(new Map([[agentId, 'older-elsewhere']]), () => 'older-elsewhere')).toEqual([
        agentId,
      ])
      presence.stop()
    })
  },
)
