/**
 * The contract for a subscriber without an address (known by its login: PPPoE, hotspot, RADIUS):
 * it is stored and read back without one, can be given one and lose it again, and no overlap check
 * or search trips over it.
 */
import { parseIpPrefix } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import type { Subscriber } from '../entities.js'
import type { Store } from '../store.js'
import { ids, useHarness } from './harness.js'
import { subscriber } from './rows.js'
import type { StoreFactory } from './store-under-test.js'

/** A subscriber row with no `address` key at all. */
function byLogin(id: string, fields: Partial<Subscriber> = {}): Subscriber {
  const { address: _, ...row } = subscriber(id, { login: `ppp-${id}`, ...fields })
  return row
}

const overlap = (store: Store, agentId: string, text: string, exceptId?: string) =>
  store.transact(
    async (tx) => (await tx.subscribers.overlappingAddress(agentId, parseIpPrefix(text), exceptId))?.id,
  )

export function loginSubscriberContract(factory: StoreFactory): void {
  describe('subscribers known by login (no address)', () => {
    const h = useHarness(factory)

    it('stores one without an address and reads it back without one, after a reopen too', async () => {
      let store = await h.open()
      await store.transact((tx) => tx.subscribers.insert(byLogin('sub_1')))
      const read = async () => {
        const row = await store.transact((tx) => tx.subscribers.get('sub_1'))
        expect(row).toEqual(byLogin('sub_1'))
        expect(row).not.toHaveProperty('address')
        expect((await store.transact((tx) => tx.subscribers.byLogin('PPP-sub_1')))?.id).toBe('sub_1')
        expect(ids(await store.transact((tx) => tx.subscribers.forAgent('agt_1')))).toEqual(['sub_1'])
      }
      await read()
      store = await h.reopen()
      await read()
    })

    it('an address given later counts in overlap checks; taken away again, it no longer does', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.subscribers.insert(byLogin('sub_1'))
        await tx.subscribers.insert(subscriber('sub_2', { address: '10.0.0.2' }))
      })
      expect(await overlap(store, 'agt_1', '0.0.0.0/0', 'sub_2')).toBeUndefined()
      expect(await overlap(store, 'agt_1', '::/0')).toBeUndefined()

      await store.transact((tx) => tx.subscribers.update({ ...byLogin('sub_1'), address: '10.0.1.0/24' }))
      expect((await store.transact((tx) => tx.subscribers.get('sub_1')))?.address).toBe('10.0.1.0/24')
      expect(await overlap(store, 'agt_1', '10.0.1.7')).toBe('sub_1')

      await store.transact((tx) => tx.subscribers.update(byLogin('sub_1')))
      expect(await store.transact((tx) => tx.subscribers.get('sub_1'))).not.toHaveProperty('address')
      expect(await overlap(store, 'agt_1', '10.0.1.7')).toBeUndefined()
      expect(await overlap(store, 'agt_1', '0.0.0.0/0', 'sub_2')).toBeUndefined()
      expect(await overlap(store, 'agt_1', '0.0.0.0/0')).toBe('sub_2')
    })

    it('several on one agent never clash with each other or with addressed ones', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        for (const id of ['sub_1', 'sub_2', 'sub_3']) await tx.subscribers.insert(byLogin(id))
        await tx.subscribers.insert(subscriber('sub_4', { address: '2001:db8::/64' }))
      })
      expect(await overlap(store, 'agt_1', '0.0.0.0/0')).toBeUndefined()
      expect(await overlap(store, 'agt_1', '::/0')).toBe('sub_4')
      expect(await overlap(store, 'agt_1', '::/0', 'sub_4')).toBeUndefined()
    })

    it('a search matches it by name, login or e-mail, and an address search passes it by', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.subscribers.insert(byLogin('sub_1', { name: 'Pat Login' }))
        await tx.subscribers.insert(subscriber('sub_2', { address: '10.0.0.2' }))
      })
      const find = (q: string) =>
        store.transact(async (tx) => ids((await tx.subscribers.find({ q, limit: 50 })).items))
      expect(await find('pat')).toEqual(['sub_1'])
      expect(await find('ppp-')).toEqual(['sub_1'])
      expect(await find('10.0')).toEqual(['sub_2'])
      expect(await find('.')).toEqual(['sub_1', 'sub_2'])
    })
  })
}
