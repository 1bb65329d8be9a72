/**
 * The round trips of one operator top-up on the PostgreSQL store, held down: the top-up's own
 * transaction, the read of the limits pushed after it, and the auto top-up pass that follows.
 * Counts are deterministic, so they can be asserted; a read repeated with the same parameters in
 * one transaction is refused outright, whatever the count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logStatements, type Statement } from '../../testing/pg-statements.js'
import { connectAgent, hello, type TestAgent } from '../../testing/test-agent.js'
import { testApp } from '../../testing/test-app.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()

/** The statements sent more than once with the same parameters. */
function repeated(statements: readonly Statement[]): string[] {
  const seen = new Set<string>()
  const twice: string[] = []
  for (const s of statements) {
    const key = `${s.sql} ${JSON.stringify(s.params)}`
    if (seen.has(key) && s.sql.startsWith('SELECT')) twice.push(key)
    seen.add(key)
  }
  return twice
}

const has = (tx: readonly Statement[], sql: string) => tx.some((s) => s.sql.startsWith(sql))

describe.skipIf(skip !== undefined)(
  `statements of a top-up${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 30_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let store: PgStore
    let t: Awaited<ReturnType<typeof testApp>>
    let server: Awaited<ReturnType<typeof t.serve>>
    let agent: TestAgent
    let subscriberId: string
    beforeAll(async () => {
      fixture = await pgFixture()
      store = await fixture.open()
      t = await testApp({ store })
      const seeded = await t.seed()
      subscriberId = seeded.subscriber.id
      server = await t.serve()
      agent = await connectAgent(server.wsUrl, seeded.agent.token)
      agent.send(hello(seeded.agent.id))
      await agent.next('sync')
      await t.hub.drain()
    })
    afterAll(async () => {
      agent?.close()
      await server?.close()
      await fixture?.end()
    })

    /** The transactions one operator top-up makes: its own, the push's read, the auto top-up pass. */
    async function topUpTransactions() {
      const log = logStatements(store.pool)
      try {
        const res = await t.call('POST', `/subscribers/${subscriberId}/topups`, {
          bytes: 1e9,
          price: { amount: 1, currency: 'USD' },
        })
        expect(res.status).toBe(201)
        await agent.next('limits')
        await t.hub.drain()
      } finally {
        log.stop()
      }
      const txs = log.take().filter((tx) => tx[0]?.sql.startsWith('BEGIN ISOLATION LEVEL SERIALIZABLE'))
      const topUp = txs.filter((tx) => has(tx, 'INSERT INTO top_ups'))
      // The auto top-up rule reads the top-up plan it would sell; the push does not.
      const push = txs.filter(
        (tx) =>
          !has(tx, 'INSERT') &&
          has(tx, 'SELECT doc FROM top_ups') &&
          !has(tx, 'SELECT doc FROM top_up_plans'),
      )
      const rest = txs.filter((tx) => !topUp.includes(tx) && !push.includes(tx))
      expect(topUp).toHaveLength(1)
      expect(push).toHaveLength(1)
      return { topUp: topUp[0]!, push: push[0]!, rest }
    }

    it('the top-up itself: 16 statements from BEGIN to COMMIT, no read repeated', async () => {
      for (let i = 0; i < 2; i++) {
        const { topUp } = await topUpTransactions()
        expect(repeated(topUp)).toEqual([])
        expect(topUp).toHaveLength(16)
      }
    })

    it('the push that follows: the subscriber read once, 6 statements in all', async () => {
      const { push } = await topUpTransactions()
      expect(repeated(push)).toEqual([])
      expect(push.filter((s) => s.sql.startsWith('SELECT doc FROM subscribers'))).toHaveLength(1)
      expect(push).toHaveLength(6)
    })

    it('no auto top-up pass when the subscriber has none on; one when it has', async () => {
      expect((await topUpTransactions()).rest).toEqual([])
      const pack = await t.call('POST', '/topup-plans', {
        name: '1 GB',
        bytes: 1e9,
        price: { amount: 100, currency: 'USD' },
      })
      const on = await t.call('PUT', `/subscribers/${subscriberId}/auto-topup`, {
        enabled: true,
        topUpPlanId: pack.body.id,
        maxPerPeriod: 2,
      })
      expect(on.status, JSON.stringify(on.body)).toBe(200)
      await agent.next('limits')
      await t.hub.drain()
      const { rest } = await topUpTransactions()
      expect(rest).toHaveLength(1)
      expect(rest[0]!.filter((s) => s.sql.startsWith('SELECT doc FROM subscribers'))).toHaveLength(1)
    })
  },
)
