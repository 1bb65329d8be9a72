/** The contract of the finders by key: token hash, login, agent, address overlap, a subscriber's rows. */
import { parseIpPrefix } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { ids, useHarness } from './harness.js'
import { agent, notification, order, subscriber, topUp, usd } from './rows.js'
import type { StoreFactory } from './store-under-test.js'

export function findersContract(factory: StoreFactory): void {
  describe('finders', () => {
    const h = useHarness(factory)

    it('a transaction reads its own writes, in every finder', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_1', { login: 'Alice' }))
        expect((await tx.subscribers.byLogin('alice'))?.id).toBe('sub_1')
        expect(ids(await tx.subscribers.forAgent('agt_1'))).toEqual(['sub_1'])
        expect(await tx.subscribers.movedFrom('agt_1')).toEqual([])
        await tx.subscribers.update(
          subscriber('sub_1', { login: 'Bob', agentId: 'agt_2', formerAgentIds: ['agt_1'] }),
        )
        expect(await tx.subscribers.byLogin('alice')).toBeUndefined()
        expect(await tx.subscribers.forAgent('agt_1')).toEqual([])
        expect(ids(await tx.subscribers.movedFrom('agt_1'))).toEqual(['sub_1'])
        expect(await tx.subscribers.movedFrom('agt_2')).toEqual([])
        expect((await tx.subscribers.overlappingAddress('agt_2', parseIpPrefix('10.0.0.0/8')))?.id).toBe(
          'sub_1',
        )
      })
    })

    it('finds by key: token hash, login (any case), username, api token hash, provider ref', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.agents.insert(agent('agt_1', 'aa11'))
        await tx.agents.insert(agent('agt_2', 'bb22'))
        await tx.subscribers.insert(subscriber('sub_1', { login: 'MixedCase.Login' }))
        await tx.users.insert({
          id: 'usr_1',
          username: 'ops',
          role: 'admin',
          passwordHash: 'x',
          createdAtMs: 1,
        })
        await tx.apiTokens.insert({ id: 'tok_1', name: 'ci', role: 'admin', hash: 'cc33', createdAtMs: 1 })
        await tx.orders.insert(order('ord_1', 'sub_1', { provider: 'stripe', providerRef: 'cs_1' }))
        await tx.orders.insert(order('ord_2', 'sub_1', { provider: 'mpesa', providerRef: 'cs_1' }))
        await tx.orders.insert(order('ord_3', 'sub_1', { provider: 'offline' }))
      })
      await store.transact(async (tx) => {
        expect((await tx.agents.byTokenHash('bb22'))?.id).toBe('agt_2')
        expect(await tx.agents.byTokenHash('BB22')).toBeUndefined()
        expect((await tx.subscribers.byLogin('mixedcase.login'))?.id).toBe('sub_1')
        expect((await tx.subscribers.byLogin('MIXEDCASE.LOGIN'))?.id).toBe('sub_1')
        expect(await tx.subscribers.byLogin('mixedcase')).toBeUndefined()
        expect((await tx.users.byUsername('ops'))?.id).toBe('usr_1')
        expect(await tx.users.byUsername('other')).toBeUndefined()
        expect((await tx.apiTokens.byHash('cc33'))?.id).toBe('tok_1')
        expect((await tx.orders.byProviderRef('stripe', 'cs_1'))?.id).toBe('ord_1')
        expect((await tx.orders.byProviderRef('mpesa', 'cs_1'))?.id).toBe('ord_2')
        expect(await tx.orders.byProviderRef('stripe', 'cs_2')).toBeUndefined()
        expect(await tx.orders.byProviderRef('offline', '')).toBeUndefined()
      })
    })

    it('lists each subscriber’s rows in id order, and only theirs', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        for (const sub of ['sub_1', 'sub_2']) await tx.subscribers.insert(subscriber(sub))
        for (const [id, sub] of [
          ['top_3', 'sub_1'],
          ['top_1', 'sub_2'],
          ['top_2', 'sub_1'],
        ] as const) {
          await tx.topUps.insert(topUp(id, sub))
          await tx.orders.insert(order(`ord_${id}`, sub))
          await tx.notifications.insert(notification(`n/${id}`, sub))
          await tx.ledger.insert({
            id: `led_${id}`,
            subscriberId: sub,
            atMs: 1,
            kind: 'payment',
            amount: usd(100),
            balanceAfter: usd(100),
            ref: id,
          })
          await tx.payments.insert({
            id: `pay_${id}`,
            subscriberId: sub,
            amount: usd(100),
            createdAtMs: 1,
            actor: 'system',
          })
          await tx.invoices.insert({
            id: `inv_${id}`,
            number: `INV-${id}`,
            subscriberId: sub,
            issuedAtMs: 1,
            lines: [],
            total: usd(100),
            status: 'open',
          })
          await tx.usagePeriods.insert({
            id: `${sub}/${id}`,
            subscriberId: sub,
            periodStartMs: 1,
            usedBytes: 5,
          })
        }
      })
      await store.transact(async (tx) => {
        expect(ids(await tx.topUps.forSubscriber('sub_1'))).toEqual(['top_2', 'top_3'])
        expect(ids(await tx.orders.forSubscriber('sub_1'))).toEqual(['ord_top_2', 'ord_top_3'])
        expect(ids(await tx.notifications.forSubscriber('sub_1'))).toEqual(['n/top_2', 'n/top_3'])
        expect(ids(await tx.ledger.forSubscriber('sub_1'))).toEqual(['led_top_2', 'led_top_3'])
        expect(ids(await tx.payments.forSubscriber('sub_2'))).toEqual(['pay_top_1'])
        expect(ids(await tx.invoices.forSubscriber('sub_2'))).toEqual(['inv_top_1'])
        expect(ids(await tx.usagePeriods.forSubscriber('sub_1'))).toEqual(['sub_1/top_2', 'sub_1/top_3'])
        expect(await tx.topUps.forSubscriber('sub_none')).toEqual([])
      })
    })

    it('lists an agent’s live subscribers and usage anomalies; deleted subscribers are on no agent', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_2', { agentId: 'agt_1', address: '10.0.0.2' }))
        await tx.subscribers.insert(subscriber('sub_1', { agentId: 'agt_1', address: '10.0.0.1' }))
        await tx.subscribers.insert(subscriber('sub_3', { agentId: 'agt_2', address: '10.0.0.3' }))
        await tx.subscribers.insert(
          subscriber('sub_4', { agentId: 'agt_1', address: '10.0.0.4', deletedAtMs: 5 }),
        )
        for (const [agentId, sub] of [
          ['agt_1', 'sub_9'],
          ['agt_2', 'sub_1'],
          ['agt_1', 'sub_1'],
        ] as const) {
          await tx.usageAnomalies.insert({
            id: `${agentId}/unknown_subscriber/${sub}`,
            agentId,
            subscriberId: sub,
            reason: 'unknown_subscriber',
            entries: 1,
            bytes: 10,
            firstAtMs: 1,
            lastAtMs: 2,
            lastEpoch: 'e1',
          })
        }
      })
      await store.transact(async (tx) => {
        expect(ids(await tx.subscribers.forAgent('agt_1'))).toEqual(['sub_1', 'sub_2'])
        expect(ids(await tx.usageAnomalies.forAgent('agt_1'))).toEqual([
          'agt_1/unknown_subscriber/sub_1',
          'agt_1/unknown_subscriber/sub_9',
        ])
        await tx.subscribers.update(
          subscriber('sub_1', { agentId: 'agt_1', address: '10.0.0.1', deletedAtMs: 9 }),
        )
        expect(ids(await tx.subscribers.forAgent('agt_1'))).toEqual(['sub_2'])
      })
    })

    it('finds overlapping addresses on one agent: IPv4 and IPv6, inside, around, equal, except one, not deleted', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_v4', { address: '10.1.2.0/24' }))
        await tx.subscribers.insert(subscriber('sub_host', { address: '192.168.7.9' }))
        await tx.subscribers.insert(subscriber('sub_v6', { address: '2001:db8:1::/48' }))
        await tx.subscribers.insert(subscriber('sub_gone', { address: '172.16.0.0/16', deletedAtMs: 1 }))
        await tx.subscribers.insert(subscriber('sub_other', { agentId: 'agt_2', address: '10.9.0.0/16' }))
      })
      const overlap = (agentId: string, text: string, exceptId?: string) =>
        store.transact(
          async (tx) => (await tx.subscribers.overlappingAddress(agentId, parseIpPrefix(text), exceptId))?.id,
        )
      expect(await overlap('agt_1', '10.1.2.77')).toBe('sub_v4') // inside
      expect(await overlap('agt_1', '10.1.0.0/16')).toBe('sub_v4') // around
      expect(await overlap('agt_1', '10.1.2.0/24')).toBe('sub_v4') // equal
      expect(await overlap('agt_1', '0.0.0.0/0')).toBeDefined()
      expect(await overlap('agt_1', '10.1.3.0/24')).toBeUndefined() // beside
      expect(await overlap('agt_1', '10.1.2.0/24', 'sub_v4')).toBeUndefined()
      expect(await overlap('agt_1', '192.168.7.9')).toBe('sub_host')
      expect(await overlap('agt_1', '192.168.7.8/31')).toBe('sub_host')
      expect(await overlap('agt_1', '192.168.7.10/31')).toBeUndefined()
      expect(await overlap('agt_1', '2001:db8:1:ff::1')).toBe('sub_v6')
      expect(await overlap('agt_1', '2001:db8::/32')).toBe('sub_v6')
      expect(await overlap('agt_1', '2001:db8:2::/48')).toBeUndefined()
      expect(await overlap('agt_1', '::/0')).toBe('sub_v6') // families never mix
      expect(await overlap('agt_1', '::ffff:10.1.2.3')).toBeUndefined()
      expect(await overlap('agt_1', '172.16.1.1')).toBeUndefined() // deleted holds no address
      expect(await overlap('agt_1', '10.9.0.1')).toBeUndefined() // another agent's
      expect(await overlap('agt_2', '10.9.0.1')).toBe('sub_other')
    })
  })
}
