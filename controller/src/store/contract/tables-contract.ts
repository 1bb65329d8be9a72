/** The contract of every table: get, list in id order, insert, update, delete, and rollback of each. */
import { describe, expect, it } from 'vitest'
import { ids, rolledBack, useHarness } from './harness.js'
import { delivery, notification, plan, subscriber, usd } from './rows.js'
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
        // Logins are unique whatever their case (sub_b, sub_B): one each.
        for (const [i, id] of order.entries())
          await tx.subscribers.insert(subscriber(id, { address: `10.0.0.${i + 1}`, login: `login-${i}` }))
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
        balance: usd(1234),
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
