/**
 * Reads a transaction repeats are answered from what it already read and wrote: the answers are
 * those of the embedded store, after every kind of write in between, and no statement is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logStatements } from '../../testing/pg-statements.js'
import { emptyData } from '../data.js'
import { DocumentStore } from '../document-store.js'
import type { Plan, TopUp } from '../entities.js'
import type { Store, Tx } from '../store.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()

const plan = (id: string): Plan => ({ id, name: id, capBytes: 1000, onCap: 'block', createdAtMs: 1 })
const topUp = (id: string, subscriberId: string, bytes = 1): TopUp => ({
  id,
  subscriberId,
  bytes,
  price: { amount: 5, currency: 'USD' },
  source: 'operator',
  chargeTo: 'invoice',
  createdAtMs: 1,
  periodStartMs: 0,
  expiresAtMs: 9,
  invoiceId: 'inv',
  actor: 'system',
})

/** Each step's answer (ids of the rows read), run in one transaction. */
async function run(store: Store): Promise<unknown[]> {
  const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id)
  const a = (tx: Tx) => tx.topUps.forSubscriber('sub-a')
  const b = (tx: Tx) => tx.topUps.forSubscriber('sub-b')
  return store.transact(async (tx) => {
    const seen: unknown[] = []
    seen.push(ids(await a(tx)), ids(await b(tx)), ids(await tx.plans.list()))
    await tx.topUps.insert(topUp('top-2', 'sub-a'))
    await tx.topUps.insert(topUp('top-0', 'sub-a'))
    seen.push(ids(await a(tx)))
    await tx.topUps.update(topUp('top-1', 'sub-b', 7))
    seen.push(ids(await a(tx)), await b(tx))
    await tx.topUps.update(topUp('top-2', 'sub-a', 9))
    seen.push(await a(tx))
    await tx.plans.insert(plan('pln-0'))
    seen.push(ids(await tx.plans.list()))
    await tx.plans.update({ ...plan('pln-1'), name: 'renamed' })
    seen.push(await tx.plans.list())
    return seen
  })
}

async function seed(store: Store) {
  await store.transact(async (tx) => {
    await tx.plans.insert(plan('pln-1'))
    await tx.topUps.insert(topUp('top-1', 'sub-a'))
    await tx.topUps.insert(topUp('top-3', 'sub-a'))
    await tx.topUps.insert(topUp('top-4', 'sub-b'))
  })
}

describe.skipIf(skip !== undefined)(
  `a transaction's repeated reads${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 30_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let pg: PgStore
    beforeAll(async () => {
      fixture = await pgFixture()
      pg = await fixture.open()
      await seed(pg)
    })
    afterAll(() => fixture?.end())

    it('answer as the embedded store does, with no statement after the first read of each', async () => {
      const memory = new DocumentStore(emptyData(), null)
      await seed(memory)
      const log = logStatements(pg.pool)
      const got = await run(pg)
      log.stop()
      expect(got).toEqual(await run(memory))
      const selects = log
        .take()
        .flat()
        .filter((s) => s.sql.startsWith('SELECT doc'))
        .map((s) => `${s.sql.replace(/ ORDER BY.*/, '')} ${JSON.stringify(s.params)}`)
      // One read per subscriber and one of the plans; the ids written were read to refuse duplicates.
      // (The plan's subscribers are read for the commit to name them.)
      expect(selects.filter((s) => !s.includes('WHERE id ='))).toEqual([
        'SELECT doc FROM top_ups WHERE subscriber_id = $1 ["sub-a"]',
        'SELECT doc FROM top_ups WHERE subscriber_id = $1 ["sub-b"]',
        'SELECT doc FROM plans WHERE TRUE []',
        'SELECT doc FROM subscribers WHERE plan_id = $1 ["pln-1"]',
      ])
      expect(selects.filter((s) => s.includes('WHERE id ='))).toEqual([
        'SELECT doc FROM top_ups WHERE id = $1 ["top-2"]',
        'SELECT doc FROM top_ups WHERE id = $1 ["top-0"]',
        'SELECT doc FROM plans WHERE id = $1 ["pln-0"]',
      ])
    })

    it('insertNew looks up no id it has not seen; a taken one is refused at commit, and nothing is kept', async () => {
      const log = logStatements(pg.pool)
      const rows = await pg.transact(async (tx) => {
        await tx.topUps.insertNew(topUp('top-new', 'sub-c'))
        return tx.topUps.forSubscriber('sub-c')
      })
      log.stop()
      expect(rows.map((r) => r.id)).toEqual(['top-new'])
      expect(
        log
          .take()
          .flat()
          .filter((s) => s.sql.includes('WHERE id =')),
      ).toEqual([])
      // Seen in the transaction: refused at once, as insert does.
      await expect(
        pg.transact(async (tx) => {
          await tx.topUps.get('top-new')
          await tx.topUps.insertNew(topUp('top-new', 'sub-c'))
        }),
      ).rejects.toThrow('duplicate id top-new')
      const taken = pg.transact(async (tx) => {
        await tx.topUps.insertNew(topUp('top-x', 'sub-c'))
        await tx.topUps.insertNew(topUp('top-new', 'sub-d'))
      })
      await expect(taken).rejects.toThrow(/unique/)
      expect(await pg.transact((tx) => tx.topUps.get('top-x'))).toBeUndefined()
      expect((await pg.transact((tx) => tx.topUps.get('top-new')))?.subscriberId).toBe('sub-c')
    })

    it("reads several subscribers' rows ahead in id order, however the table holds them", async () => {
      // Written out of id order, a statement each: the table holds them in that order, and a
      // bitmap scan (the plan here) returns them so.
      for (const id of ['top-e9', 'top-e5', 'top-e7', 'top-e1'])
        await pg.transact((tx) => tx.topUps.insert(topUp(id, 'sub-e')))
      const log = logStatements(pg.pool)
      const [e, a] = await pg.transact(async (tx) => {
        await tx.readAhead?.({ topUpsOf: ['sub-e', 'sub-a'] })
        return [await tx.topUps.forSubscriber('sub-e'), await tx.topUps.forSubscriber('sub-a')]
      })
      log.stop()
      expect(e!.map((r) => r.id)).toEqual(['top-e1', 'top-e5', 'top-e7', 'top-e9'])
      expect(a!.map((r) => r.id)).toEqual(['top-0', 'top-2', 'top-3'])
      const reads = log
        .take()
        .flat()
        .filter((s) => s.sql.startsWith('SELECT'))
      expect(reads).toHaveLength(1)
    })
  },
)
