/**
 * The round trips of an auto top-up pass on the PostgreSQL store. A reconnecting agent's pass names
 * every subscriber it enforces: they are read in one statement without a lock, and the rule's own
 * transaction reads only those with it on, with their top-ups, a statement each, not a round trip
 * per subscriber; the rule still tops up the one that needs it, and only it.
 */
import { Usage } from '@capd/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { autoTopUpPass } from '../../domain/auto-topup-pass.js'
import { ingestUsage } from '../../domain/usage-ingest.js'
import { logStatements, type Statement } from '../../testing/pg-statements.js'
import { usage } from '../../testing/test-agent.js'
import { testApp } from '../../testing/test-app.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()
const SUBSCRIBERS = 8
const usd = (amount: number) => ({ amount, currency: 'USD' })

describe.skipIf(skip !== undefined)(
  `statements of an auto top-up pass${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 30_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let store: PgStore
    let t: Awaited<ReturnType<typeof testApp>>
    let agentId: string
    const ids: string[] = []
    beforeAll(async () => {
      fixture = await pgFixture()
      store = await fixture.open()
      t = await testApp({ store })
      const plan = await t.call('POST', '/plans', {
        name: 'Tiny',
        capBytes: 1000,
        onCap: 'block',
        allowTiny: true,
      })
      const pack = await t.call('POST', '/topup-plans', {
        name: '500 B',
        bytes: 500,
        price: usd(100),
        allowTiny: true,
      })
      agentId = (await t.call('POST', '/agents', { name: 'tower' })).body.id
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const sub = await t.call('POST', '/subscribers', {
          name: `S${i}`,
          login: `s${i}`,
          planId: plan.body.id,
          agentId,
          address: `10.0.0.${i + 1}`,
        })
        expect(sub.status, JSON.stringify(sub.body)).toBe(201)
        ids.push(sub.body.id)
      }
      // The rule on for the first two, with money for it; only the first runs out.
      for (const id of ids.slice(0, 2)) {
        await t.call('POST', `/subscribers/${id}/payments`, { amount: usd(1000) })
        const on = await t.call('PUT', `/subscribers/${id}/auto-topup`, {
          enabled: true,
          topUpPlanId: pack.body.id,
          minIntervalMs: 0,
          maxPerPeriod: 3,
        })
        expect(on.status, JSON.stringify(on.body)).toBe(200)
      }
      const batch = Usage.parse(usage('e1', [{ seq: 1, subscriberId: ids[0]!, down: 1200 }]))
      await store.transact((tx) => ingestUsage(tx, t.env, agentId, batch))
    })
    afterAll(() => fixture?.end())

    it('reads the subscribers and their top-ups by statement, and tops up the one at its trigger', async () => {
      // The hub's own passes after the set-up's commits are done: only this one is logged.
      await t.hub.drain()
      const log = logStatements(store.pool)
      let toppedUp: string[]
      try {
        toppedUp = await autoTopUpPass(store, t.env, ids)
      } finally {
        log.stop()
      }
      expect(toppedUp).toEqual([ids[0]])
      const [peek, rule, ...rest] = log.take().filter((tx) => tx.length > 0)
      expect(rest, 'one read, then one transaction').toEqual([])
      // The read takes no lock: SSI's locks on every row named would cover the whole table.
      expect(peek![0]!.sql).toBe('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      expect(rule![0]!.sql).toBe('BEGIN ISOLATION LEVEL SERIALIZABLE')
      for (const tx of [peek!, rule!]) {
        const one = tx.filter((s) => /^SELECT doc FROM subscribers WHERE id = \$1/.test(s.sql))
        expect(one, 'subscribers read one by one').toEqual([])
      }
      const many = (tx: readonly Statement[], table: string) =>
        tx.filter(
          (s) =>
            s.sql.startsWith(`SELECT `) && s.sql.includes(` FROM ${table} WHERE `) && s.sql.includes('ANY'),
        )
      expect(many(peek!, 'subscribers').map((s) => s.params[0])).toEqual([ids])
      expect(many(peek!, 'top_ups')).toEqual([])
      // In the transaction, only the two with the rule on.
      expect(many(rule!, 'subscribers').map((s) => s.params[0])).toEqual([ids.slice(0, 2)])
      expect(many(rule!, 'top_ups').map((s) => s.params[0])).toEqual([ids.slice(0, 2)])
      const autos = await store.peek(async (tx) =>
        (await tx.topUps.forSubscriber(ids[0]!)).filter((x) => x.source === 'auto'),
      )
      expect(autos).toHaveLength(1)
    })

    it('opens no transaction when none of them has the rule on', async () => {
      await t.hub.drain()
      const log = logStatements(store.pool)
      try {
        expect(await autoTopUpPass(store, t.env, ids.slice(2))).toEqual([])
      } finally {
        log.stop()
      }
      const txs = log.take().filter((tx) => tx.length > 0)
      expect(txs.map((tx) => tx[0]!.sql)).toEqual(['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'])
    })
  },
)
