/** The contract of transactions: all or nothing, peek, sequences, idempotency, settings, durability, health, close. */

import { describe, expect, it } from 'vitest'
import type { Store } from '../store.js'
import { ids, rolledBack, useHarness } from './harness.js'
import { auditEntry, delivery, idempotencyRecord, plan, subscriber, topUp, usageDay } from './rows.js'
import type { StoreFactory } from './store-under-test.js'

export function transactionsContract(factory: StoreFactory): void {
  describe('transactions', () => {
    const h = useHarness(factory)

    it('returns what fn returns, and a throwing fn keeps nothing in any table', async () => {
      const store = await h.open()
      expect(await store.transact(async () => 42)).toBe(42)
      await store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_1'))
        await tx.audit.append(auditEntry('aud_1', 1))
        await tx.idempotency.put(idempotencyRecord('user:1|k1', 1))
        await tx.settings.insert({ id: 'currency', value: 'USD', setAtMs: 1 })
      })
      await rolledBack(store, async (tx) => {
        await tx.subscribers.update(subscriber('sub_1', { balance: { amount: 999, currency: 'USD' } }))
        await tx.subscribers.insert(subscriber('sub_2', { address: '10.0.0.2' }))
        await tx.topUps.insert(topUp('top_1', 'sub_1'))
        await tx.deliveries.insert(delivery('dlv_1'))
        await tx.usageDays.insert(usageDay('sub_1', '2026-01-01'))
        await tx.audit.append(auditEntry('aud_2', 2))
        await tx.audit.prune(10)
        await tx.idempotency.put(idempotencyRecord('user:1|k1', 5))
        await tx.idempotency.put(idempotencyRecord('user:1|k2', 5))
        await tx.idempotency.prune(10)
        await tx.settings.update({ id: 'currency', value: 'EUR', setAtMs: 2 })
        await tx.nextSequence('invoice')
      })
      const check = (s: Store) =>
        s.transact(async (tx) => {
          expect(await tx.subscribers.list()).toEqual([subscriber('sub_1')])
          expect(await tx.topUps.list()).toEqual([])
          expect(await tx.deliveries.list()).toEqual([])
          expect(await tx.deliveries.openCount()).toBe(0)
          expect(await tx.usageDays.forSubscriber('sub_1', '2026-01-01', '2026-12-31')).toEqual([])
          expect(ids(await tx.audit.list(10))).toEqual(['aud_1'])
          expect(await tx.idempotency.get('user:1|k1')).toEqual(idempotencyRecord('user:1|k1', 1))
          expect(await tx.idempotency.get('user:1|k2')).toBeUndefined()
          expect((await tx.settings.get('currency'))?.value).toBe('USD')
          return tx.nextSequence('invoice')
        })
      expect(await check(store)).toBe(1)
      expect(await check(await h.reopen())).toBe(2)
    })

    it('prunes every idempotency record older than the cut, in whatever order they were written', async () => {
      const store = await h.open()
      // Another controller's clock a little behind: a younger record written before an older one.
      await store.transact(async (tx) => {
        await tx.idempotency.put(idempotencyRecord('user:1|young', 5000))
        await tx.idempotency.put(idempotencyRecord('user:1|old', 1000))
      })
      await store.transact((tx) => tx.idempotency.prune(3000))
      await store.transact(async (tx) => {
        expect(await tx.idempotency.get('user:1|old')).toBeUndefined()
        expect(await tx.idempotency.get('user:1|young')).toEqual(idempotencyRecord('user:1|young', 5000))
      })
    })

    it('rejects with the error fn threw', async () => {
      const store = await h.open()
      class Refusal extends Error {}
      await expect(
        store.transact(async () => {
          throw new Refusal('insufficient_balance')
        }),
      ).rejects.toBeInstanceOf(Refusal)
      // The store is still usable after a failed transaction.
      await store.transact((tx) => tx.plans.insert(plan('pln_1')))
      expect(ids(await store.transact((tx) => tx.plans.list()))).toEqual(['pln_1'])
    })

    it('peek sees what is committed, and nothing of a rolled-back transaction', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.plans.insert(plan('pln_1')))
      expect(ids(await store.peek((tx) => tx.plans.list()))).toEqual(['pln_1'])
      await rolledBack(store, (tx) => tx.plans.insert(plan('pln_2')))
      expect(ids(await store.peek((tx) => tx.plans.list()))).toEqual(['pln_1'])
      expect(await store.peek(async (tx) => (await tx.plans.get('pln_1'))?.name)).toBe('Plan pln_1')
    })

    it('peek refuses to write, and keeps nothing of the attempt', async () => {
      const store = await h.open()
      await expect(store.peek((tx) => tx.plans.insert(plan('pln_1')))).rejects.toThrow()
      expect(await store.transact((tx) => tx.plans.list())).toEqual([])
    })

    it('numbers sequences from 1 without gaps, each name on its own, rolled back with the transaction', async () => {
      const store = await h.open()
      expect(await store.transact((tx) => tx.nextSequence('invoice'))).toBe(1)
      expect(
        await store.transact(async (tx) => [
          await tx.nextSequence('invoice'),
          await tx.nextSequence('invoice'),
        ]),
      ).toEqual([2, 3])
      expect(await store.transact((tx) => tx.nextSequence('credit_note'))).toBe(1)
      await rolledBack(store, async (tx) => {
        expect(await tx.nextSequence('invoice')).toBe(4)
        expect(await tx.nextSequence('proforma')).toBe(1)
      })
      expect(await store.transact((tx) => tx.nextSequence('invoice'))).toBe(4)
      const again = await h.reopen()
      expect(await again.transact((tx) => tx.nextSequence('invoice'))).toBe(5)
      expect(await again.transact((tx) => tx.nextSequence('proforma'))).toBe(1)
      expect(await again.transact((tx) => tx.nextSequence('credit_note'))).toBe(2)
    })

    it('keeps idempotency records by scope: put replaces, prune forgets the older ones', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.idempotency.put(idempotencyRecord('user:1|a', 100))
        await tx.idempotency.put(idempotencyRecord('user:2|a', 200))
        await tx.idempotency.put(idempotencyRecord('user:1|b', 300))
      })
      await store.transact(async (tx) => {
        expect(await tx.idempotency.get('user:2|a')).toEqual(idempotencyRecord('user:2|a', 200))
        expect(await tx.idempotency.get('user:3|a')).toBeUndefined()
        expect(await tx.idempotency.get('constructor')).toBeUndefined()
        // Put again, later: the record is renewed (and so outlives a prune of its old time).
        await tx.idempotency.put({ ...idempotencyRecord('user:1|a', 400), status: 409 })
        await tx.idempotency.prune(300)
        expect(await tx.idempotency.get('user:2|a')).toBeUndefined()
        expect((await tx.idempotency.get('user:1|a'))?.status).toBe(409)
        expect(await tx.idempotency.get('user:1|b')).toBeDefined()
      })
      const again = await h.reopen()
      await again.transact(async (tx) => {
        expect(await tx.idempotency.get('user:1|a')).toEqual({
          ...idempotencyRecord('user:1|a', 400),
          status: 409,
        })
        await tx.idempotency.prune(401)
        expect(await tx.idempotency.get('user:1|a')).toBeUndefined()
        expect(await tx.idempotency.get('user:1|b')).toBeUndefined()
      })
    })

    it('prunes every idempotency record older than the cut, after renewals and prunes that were rolled back', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.idempotency.put(idempotencyRecord('user:1|a', 100))
        await tx.idempotency.put(idempotencyRecord('user:1|b', 200))
        await tx.idempotency.put(idempotencyRecord('user:1|c', 300))
      })
      // A renewal undone, and a prune undone: the records are as they were, and must be pruned as such.
      await rolledBack(store, (tx) => tx.idempotency.put(idempotencyRecord('user:1|a', 400)))
      await rolledBack(store, (tx) => tx.idempotency.prune(250))
      await store.transact((tx) => tx.idempotency.prune(150))
      await store.transact(async (tx) => {
        expect(await tx.idempotency.get('user:1|a')).toBeUndefined()
        expect(await tx.idempotency.get('user:1|b')).toBeDefined()
        await tx.idempotency.prune(250)
        expect(await tx.idempotency.get('user:1|b')).toBeUndefined()
        expect(await tx.idempotency.get('user:1|c')).toEqual(idempotencyRecord('user:1|c', 300))
      })
    })

    it('keeps everything committed across close and open, down to the last transaction', async () => {
      const store = await h.open()
      for (let i = 0; i < 20; i++) {
        await store.transact(async (tx) => {
          await tx.subscribers.insert(
            subscriber(`sub_${String(i).padStart(2, '0')}`, { address: `10.0.1.${i}` }),
          )
          await tx.audit.append(auditEntry(`aud_${String(i).padStart(2, '0')}`, i))
          await tx.nextSequence('invoice')
        })
      }
      await store.transact((tx) =>
        tx.subscribers.update(subscriber('sub_19', { address: '10.0.1.19', usedBytes: 77 })),
      )
      const again = await h.reopen()
      await again.transact(async (tx) => {
        expect(await tx.subscribers.list()).toHaveLength(20)
        expect((await tx.subscribers.get('sub_19'))?.usedBytes).toBe(77)
        expect(ids(await tx.audit.list(1))).toEqual(['aud_19'])
        expect(await tx.nextSequence('invoice')).toBe(21)
      })
    })

    it('says it is open, then closed; a closed store refuses transactions and peeks', async () => {
      const store = await h.open()
      expect(store.health()).toMatchObject({ state: 'open' })
      expect(store.health().writingMs).toBeGreaterThanOrEqual(0)
      await store.transact((tx) => tx.plans.insert(plan('pln_1')))
      await store.close()
      expect(store.health().state).toBe('closed')
      await expect(store.transact((tx) => tx.plans.list())).rejects.toThrow()
      await expect(store.peek((tx) => tx.plans.list())).rejects.toThrow()
      await store.close() // a second close is harmless
    })
  })
}
