/** The contract of every table: get, list in id order, insert, update, delete, and the finders by key. */
import { parseIpPrefix } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { ids, rolledBack, useHarness } from './harness.js'
import { agent, delivery, notification, order, plan, subscriber, topUp, usd } from './rows.js'
import type { StoreFactory } from './store-under-test.js'

export function tablesContract(factory: StoreFactory): void {
  describe('tables', () => {
    const h = useHarness(factory)

    it('starts empty, and get of an unknown id is undefined', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        expect(await tx.subscribers.list()).toEqual([])
        expect(await tx.plans.get('pln_none')).toBeUndefined()
        expect(await tx.settings.get('currency')).toBeUndefined()
        expect(await tx.deliveries.openCount()).toBe(0)
      })
    })

    it('lists in id order (byte order, not a locale collation), whatever the insert order', async () => {
      const store = await h.open()
      // Upper case, '-', '_' and digits sort differently under a locale collation than by code unit.
      const order = ['sub_b', 'sub-z', 'sub_B', 'sub_a', 'sub_A1', 'sub_0', 'sub_Z', 'sub_a0', 'SUB_a']
      await store.transact(async (tx) => {
        for (const id of order) await tx.subscribers.insert(subscriber(id, { address: '' }))
      })
      const expected = [...order].sort()
      expect(ids(await store.transact((tx) => tx.subscribers.list()))).toEqual(expected)
      const page = await store.transact((tx) => tx.subscribers.find({ limit: 100 }))
      expect(ids(page.items)).toEqual(expected)
    })

    it('gives back a row deep-equal to what was inserted, including nested and optional fields', async () => {
      const store = await h.open()
      const row = subscriber('sub_full', {
        phone: '+254700000001',
        postalAddress: 'Box 1\nNairobi',
        notes: 'ünïcödé ✓ "quoted" \\ back',
        billingDay: 'last',
        balance: usd(-1234),
        limitVersion: 7,
        limitTerms: {
          periodStartMs: 1,
          periodEndMs: 2,
          limitBytes: 2 ** 52,
          onCap: 'throttle',
          throttleKbps: 512,
          freeWindows: [{ startMs: 10, endMs: 20 }],
          address: '10.0.0.1',
        },
        autoTopUp: { enabled: true, topUpPlanId: 'tpp_1', maxPerPeriod: 3, thresholdBytes: 0 },
        dailyUsage: { periodStartMs: 1, bytes: [0, 5, 9_007_199_254_740_991] },
        formerAgentIds: ['agt_0'],
      })
      await store.transact((tx) => tx.subscribers.insert(row))
      expect(await store.transact((tx) => tx.subscribers.get('sub_full'))).toEqual(row)
      const again = await h.reopen()
      expect(await again.transact((tx) => tx.subscribers.get('sub_full'))).toEqual(row)
    })

    it('update replaces the whole row: a field left out is gone', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_1', { phone: '+254700000001' })))
      const { phone: _, ...withoutPhone } = subscriber('sub_1', { name: 'Renamed' })
      await store.transact((tx) => tx.subscribers.update(withoutPhone))
      const row = await store.transact((tx) => tx.subscribers.get('sub_1'))
      expect(row).toEqual(withoutPhone)
      expect(row && 'phone' in row).toBe(false)
    })

    it('refuses an insert of an id that exists, and the transaction keeps nothing', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.plans.insert(plan('pln_1')))
      await expect(
        store.transact(async (tx) => {
          await tx.plans.insert(plan('pln_2'))
          await tx.plans.insert({ ...plan('pln_1'), name: 'Other' })
        }),
      ).rejects.toThrow(/duplicate/i)
      const plans = await store.transact((tx) => tx.plans.list())
      expect(plans).toEqual([plan('pln_1')])
    })

    it('refuses an update of a missing id, and the transaction keeps nothing', async () => {
      const store = await h.open()
      await expect(
        store.transact(async (tx) => {
          await tx.plans.insert(plan('pln_2'))
          await tx.plans.update(plan('pln_missing'))
        }),
      ).rejects.toThrow(/missing/i)
      expect(await store.transact((tx) => tx.plans.list())).toEqual([])
    })

    it('deletes from prunable tables; deleting a missing id does nothing', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.notifications.insert(notification('n/1'))
        await tx.notifications.insert(notification('n/2'))
        await tx.webhookEndpoints.insert({
          id: 'whk_1',
          url: 'https://hooks.example.net/capd',
          secret: 's3cret',
          events: [],
          enabled: true,
          createdAtMs: 1,
        })
      })
      await store.transact(async (tx) => {
        await tx.notifications.delete('n/1')
        await tx.notifications.delete('n/none')
        await tx.webhookEndpoints.delete('whk_1')
      })
      await store.transact(async (tx) => {
        expect(ids(await tx.notifications.list())).toEqual(['n/2'])
        expect(await tx.notifications.get('n/1')).toBeUndefined()
        expect(await tx.webhookEndpoints.list()).toEqual([])
        // A deleted id may be used again.
        await tx.notifications.insert(notification('n/1'))
      })
      expect(ids(await store.transact((tx) => tx.notifications.list()))).toEqual(['n/1', 'n/2'])
    })

    it('a transaction reads its own writes, in every finder', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_1', { login: 'Alice' }))
        expect((await tx.subscribers.byLogin('alice'))?.id).toBe('sub_1')
        expect(ids(await tx.subscribers.forAgent('agt_1'))).toEqual(['sub_1'])
        await tx.subscribers.update(subscriber('sub_1', { login: 'Bob', agentId: 'agt_2' }))
        expect(await tx.subscribers.byLogin('alice')).toBeUndefined()
        expect(await tx.subscribers.forAgent('agt_1')).toEqual([])
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

    it('keeps the other tables too: plans, top-up plans, payment events, marks, sessions, settings', async () => {
      const store = await h.open()
      const rows = {
        topUpPlan: { id: 'tpp_1', name: '5 GB', bytes: 5e9, price: usd(500), createdAtMs: 1 },
        paymentEvent: {
          id: 'stripe:evt_1',
          provider: 'stripe' as const,
          type: 'checkout',
          receivedAtMs: 1,
          outcome: 'applied',
        },
        mark: { id: 'agt_1/ep1', agentId: 'agt_1', epoch: 'ep1', seq: 41, updatedAtMs: 1 },
        portal: {
          id: 'ab'.repeat(32),
          csrfToken: 'c',
          createdAtMs: 1,
          lastSeenAtMs: 1,
          expiresAtMs: 9,
          subscriberId: 'sub_1',
        },
        operator: {
          id: 'cd'.repeat(32),
          csrfToken: 'c',
          createdAtMs: 1,
          lastSeenAtMs: 1,
          expiresAtMs: 9,
          userId: 'usr_1',
        },
        setting: { id: 'currency', value: 'USD', setAtMs: 1 },
      }
      await store.transact(async (tx) => {
        await tx.topUpPlans.insert(rows.topUpPlan)
        await tx.paymentEvents.insert(rows.paymentEvent)
        await tx.usageMarks.insert(rows.mark)
        await tx.portalSessions.insert(rows.portal)
        await tx.operatorSessions.insert(rows.operator)
        await tx.settings.insert(rows.setting)
      })
      const again = await h.reopen()
      await again.transact(async (tx) => {
        expect(await tx.topUpPlans.list()).toEqual([rows.topUpPlan])
        expect(await tx.paymentEvents.get('stripe:evt_1')).toEqual(rows.paymentEvent)
        expect(await tx.usageMarks.get('agt_1/ep1')).toEqual(rows.mark)
        expect(await tx.portalSessions.get(rows.portal.id)).toEqual(rows.portal)
        expect(await tx.operatorSessions.get(rows.operator.id)).toEqual(rows.operator)
        expect(await tx.settings.get('currency')).toEqual(rows.setting)
        await tx.usageMarks.update({ ...rows.mark, seq: 42 })
        await tx.portalSessions.delete(rows.portal.id)
        await tx.operatorSessions.update({ ...rows.operator, endedAtMs: 5 })
      })
      await again.transact(async (tx) => {
        expect((await tx.usageMarks.get('agt_1/ep1'))?.seq).toBe(42)
        expect(await tx.portalSessions.list()).toEqual([])
        expect((await tx.operatorSessions.get(rows.operator.id))?.endedAtMs).toBe(5)
      })
    })

    it('a delivery written in a rolled-back transaction leaves the outbox as it was', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.deliveries.insert(delivery('dlv_1')))
      await rolledBack(store, async (tx) => {
        await tx.deliveries.insert(delivery('dlv_2'))
        await tx.deliveries.update(delivery('dlv_1', { status: 'sent', sentAtMs: 5 }))
        expect(await tx.deliveries.openCount()).toBe(1)
      })
      await store.transact(async (tx) => {
        expect(await tx.deliveries.list()).toEqual([delivery('dlv_1')])
        expect(await tx.deliveries.openCount()).toBe(1)
      })
    })
  })
}
