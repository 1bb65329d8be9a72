/**
 * The contract under concurrency: transactions that read, wait and write the same row never lose
 * an update, sequences stay gap-free, and (for stores several controllers share) the same holds
 * across two Stores open on the same data.
 */
import { describe, expect, it } from 'vitest'
import type { Store } from '../store.js'
import { useHarness, yieldTurn } from './harness.js'
import { subscriber, usd } from './rows.js'
import type { StoreFactory } from './store-under-test.js'

const SHARED_ONLY = 'this store cannot be open twice on the same data (shared: false)'

/** `n` transactions at once, each adding 1 to sub_1's balance after a read and a pause; every `failEvery`th throws after its write. */
async function raceBalance(stores: readonly Store[], n: number, failEvery: number): Promise<number> {
  const results = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      stores[i % stores.length]!.transact(async (tx) => {
        const row = (await tx.subscribers.get('sub_1'))!
        await yieldTurn()
        await tx.subscribers.update({ ...row, balance: usd(row.balance.amount + 1) })
        const seq = await tx.nextSequence('invoice')
        await yieldTurn()
        if (failEvery > 0 && i % failEvery === 0) throw new Error(`refused ${i}`)
        return seq
      }),
    ),
  )
  const committed = results.filter((r) => r.status === 'fulfilled').map((r) => r.value)
  // Gap-free: the committed transactions hold exactly 1..k between them.
  expect([...committed].sort((a, b) => a - b)).toEqual(committed.map((_, i) => i + 1))
  for (const r of results)
    if (r.status === 'rejected') expect(String((r.reason as Error).message)).toMatch(/^refused \d+$/)
  return committed.length
}

export function concurrencyContract(factory: StoreFactory): void {
  describe('concurrency', () => {
    const h = useHarness(factory)

    it('loses no update when many transactions read-modify-write one balance at once', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_1')))
      const committed = await raceBalance([store], 40, 0)
      expect(committed).toBe(40)
      expect((await store.transact((tx) => tx.subscribers.get('sub_1')))?.balance).toEqual(usd(40))
    })

    it('keeps sequences gap-free and balances exact when some of the racing transactions fail', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_1')))
      const committed = await raceBalance([store], 40, 3)
      expect(committed).toBe(40 - Math.ceil(40 / 3))
      expect((await store.transact((tx) => tx.subscribers.get('sub_1')))?.balance).toEqual(usd(committed))
      expect(await store.transact((tx) => tx.nextSequence('invoice'))).toBe(committed + 1)
    })

    it('runs reads beside writes: every peek sees a committed state, never half a transaction', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_1'))
        await tx.subscribers.insert(subscriber('sub_2', { address: '10.0.0.2', balance: usd(100) }))
      })
      // Moving money from one to the other keeps the sum: a reader seeing one write without the other would not.
      const moves = Array.from({ length: 20 }, () =>
        store.transact(async (tx) => {
          const a = (await tx.subscribers.get('sub_1'))!
          const b = (await tx.subscribers.get('sub_2'))!
          await tx.subscribers.update({ ...b, balance: usd(b.balance.amount - 1) })
          await yieldTurn()
          await tx.subscribers.update({ ...a, balance: usd(a.balance.amount + 1) })
        }),
      )
      const sums = Array.from({ length: 20 }, () =>
        store.peek(async (tx) => {
          const a = (await tx.subscribers.get('sub_1'))!
          const b = (await tx.subscribers.get('sub_2'))!
          return a.balance.amount + b.balance.amount
        }),
      )
      await Promise.all(moves)
      expect(new Set(await Promise.all(sums))).toEqual(new Set([100]))
      expect((await store.transact((tx) => tx.subscribers.get('sub_1')))?.balance).toEqual(usd(20))
    })

    it('loses no update and no sequence number across two stores open on the same data', async (ctx) => {
      const store = await h.open()
      ctx.skip(!h.shared, SHARED_ONLY)
      const other = await h.openAnother()
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_1')))
      expect((await other.transact((tx) => tx.subscribers.get('sub_1')))?.id).toBe('sub_1')
      const committed = await raceBalance([store, other], 40, 4)
      expect(committed).toBe(30)
      for (const s of [store, other])
        expect((await s.transact((tx) => tx.subscribers.get('sub_1')))?.balance).toEqual(usd(30))
    })

    it('refuses a duplicate id inserted from two stores at once: exactly one wins', async (ctx) => {
      const store = await h.open()
      ctx.skip(!h.shared, SHARED_ONLY)
      const other = await h.openAnother()
      const results = await Promise.allSettled(
        [store, other].map((s, i) =>
          s.transact(async (tx) => {
            await yieldTurn()
            await tx.subscribers.insert(subscriber('sub_1', { name: `from ${i}` }))
            await yieldTurn()
          }),
        ),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const rows = await other.transact((tx) => tx.subscribers.list())
      expect(rows).toHaveLength(1)
    })
  })
}
