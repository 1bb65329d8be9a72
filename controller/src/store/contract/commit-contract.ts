/** The contract of onCommit: what a committed transaction hands on, from its writes alone, and when. */
import { describe, expect, it } from 'vitest'
import type { Commit } from '../commit-notes.js'
import type { Store } from '../store.js'
import { rolledBack, useHarness } from './harness.js'
import { delivery, order, plan, subscriber, topUp, usd } from './rows.js'
import type { StoreFactory } from './store-under-test.js'

/** Every commit the store announces from now on. */
function listen(store: Store): Commit[] {
  const commits: Commit[] = []
  store.onCommit((commit) => commits.push(commit))
  return commits
}

const sorted = (xs: readonly string[]) => [...xs].sort()

export function commitContract(factory: StoreFactory): void {
  describe('onCommit', () => {
    const h = useHarness(factory)

    it('hands on the subscribers whose limit inputs moved, once each, before transact resolves', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.plans.insert(plan('pln_basic'))
        await tx.plans.insert(plan('pln_other'))
        for (const [id, planId] of [
          ['sub_1', 'pln_basic'],
          ['sub_2', 'pln_basic'],
          ['sub_3', 'pln_other'],
        ] as const)
          await tx.subscribers.insert(subscriber(id, { planId, address: `10.0.0.${id.at(-1)}` }))
      })
      const commits = listen(store)
      await store.transact(async (tx) => {
        await tx.subscribers.update(subscriber('sub_1', { address: '10.0.0.1', agentId: 'agt_2' }))
        await tx.subscribers.update(subscriber('sub_1', { address: '10.0.0.1', agentId: 'agt_3' }))
      })
      expect(commits).toHaveLength(1)
      expect(commits[0]!.subscriberIds).toEqual(['sub_1'])
      expect(commits[0]!).toMatchObject({ shownSubscriberIds: [], deliveriesQueued: false, topUpsAdded: [] })

      // A plan's cap moving reaches each of its subscribers; its name alone reaches none.
      await store.transact((tx) => tx.plans.update({ ...plan('pln_basic'), capBytes: 1 }))
      expect(sorted(commits[1]!.subscriberIds)).toEqual(['sub_1', 'sub_2'])
      const before = commits.length
      await store.transact((tx) => tx.plans.update({ ...plan('pln_basic', 1), name: 'Renamed' }))
      expect(commits.slice(before).flatMap((c) => c.subscriberIds)).toEqual([])
    })

    it('hands on nothing for usage counted, and for a read-only or rolled-back transaction', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_1')))
      const commits = listen(store)
      await store.transact((tx) =>
        tx.subscribers.update(subscriber('sub_1', { usedBytes: 5, state: 'blocked' })),
      )
      await store.transact((tx) => tx.subscribers.list())
      await rolledBack(store, async (tx) => {
        await tx.subscribers.update(subscriber('sub_1', { agentId: 'agt_9' }))
        await tx.topUps.insert(topUp('top_1', 'sub_1'))
        await tx.orders.insert(order('ord_1', 'sub_1'))
        await tx.deliveries.insert(delivery('dlv_1'))
      })
      expect(commits.flatMap((c) => [...c.subscriberIds, ...c.shownSubscriberIds])).toEqual([])
      expect(
        commits.some((c) => c.deliveriesQueued || c.topUpsAdded.length || c.deliveryOutcomes.length),
      ).toBe(false)
    })

    it('hands on new subscribers, deletions, top-ups added, orders, queued deliveries and attempt outcomes', async () => {
      const store = await h.open()
      const commits = listen(store)
      await store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_1'))
        await tx.subscribers.insert(subscriber('sub_2', { address: '10.0.0.2' }))
      })
      expect(sorted(commits.at(-1)!.subscriberIds)).toEqual(['sub_1', 'sub_2'])

      await store.transact((tx) => tx.topUps.insert(topUp('top_1', 'sub_2')))
      expect(commits.at(-1)!.subscriberIds).toEqual(['sub_2'])
      expect(commits.at(-1)!.topUpsAdded).toEqual([topUp('top_1', 'sub_2')])
      await store.transact((tx) => tx.topUps.update({ ...topUp('top_1', 'sub_2'), reversedAtMs: 5 }))
      expect(commits.at(-1)!).toMatchObject({ subscriberIds: ['sub_2'], topUpsAdded: [] })

      await store.transact((tx) => tx.orders.insert(order('ord_1', 'sub_1')))
      expect(commits.at(-1)!).toMatchObject({ subscriberIds: [], shownSubscriberIds: ['sub_1'] })

      await store.transact(async (tx) => {
        await tx.deliveries.insert(delivery('dlv_1', { channel: 'sms' }))
        await tx.deliveries.insert(delivery('dlv_2', { channel: 'email' }))
        await tx.deliveries.insert(delivery('dlv_3', { channel: 'webhook' }))
      })
      expect(commits.at(-1)!.deliveriesQueued).toBe(true)

      // A claim says nothing; a send, a retry and a give-up each end an attempt.
      await store.transact(async (tx) => {
        for (const id of ['dlv_1', 'dlv_2', 'dlv_3']) {
          const row = (await tx.deliveries.get(id))!
          await tx.deliveries.update({ ...row, status: 'sending', attempts: 1 })
        }
      })
      expect(commits.at(-1)?.deliveryOutcomes ?? []).toEqual([])
      const ended = commits.length
      await store.transact(async (tx) => {
        const d = async (id: string) => (await tx.deliveries.get(id))!
        await tx.deliveries.update({ ...(await d('dlv_1')), status: 'sent', sentAtMs: 9 })
        await tx.deliveries.update({ ...(await d('dlv_2')), status: 'queued', lastError: '451' })
        await tx.deliveries.update({ ...(await d('dlv_3')), status: 'failed', lastError: 'gone' })
      })
      expect(commits).toHaveLength(ended + 1)
      expect(commits.at(-1)!.deliveriesQueued).toBe(true)
      expect(commits.at(-1)!.deliveryOutcomes).toEqual([
        { channel: 'sms', outcome: 'sent' },
        { channel: 'email', outcome: 'retry' },
        { channel: 'webhook', outcome: 'failed' },
      ])

      await store.transact((tx) => tx.subscribers.update(subscriber('sub_1', { deletedAtMs: 7 })))
      expect(commits.at(-1)!.subscriberIds).toEqual(['sub_1'])
    })

    it('hands on, for the pages alone, a balance, a paused auto top-up or a contact that changed', async () => {
      const store = await h.open()
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_1')))
      const commits = listen(store)
      const base = subscriber('sub_1')
      const changes: Partial<typeof base>[] = [
        { balance: usd(1) },
        { autoTopUpDeclined: { periodStartMs: 0, reason: 'insufficient_balance', atMs: 5 } },
        { name: 'Someone Else' },
        { email: 'else@example.net' },
      ]
      for (const change of changes) {
        const before = commits.length
        await store.transact((tx) => tx.subscribers.update({ ...base, ...change }))
        expect(commits.slice(before), JSON.stringify(change)).toMatchObject([
          { subscriberIds: [], shownSubscriberIds: ['sub_1'] },
        ])
        await store.transact((tx) => tx.subscribers.update(base))
      }
      // Both at once: the agents hear, and the pages too.
      await store.transact((tx) =>
        tx.subscribers.update({ ...base, agentId: 'agt_2', name: 'Moved And Renamed' }),
      )
      expect(commits.at(-1)!).toMatchObject({ subscriberIds: ['sub_1'], shownSubscriberIds: ['sub_1'] })
    })

    it('stops handing on to a listener that unsubscribed, and goes on with the others', async () => {
      const store = await h.open()
      const kept: Commit[] = []
      const gone: Commit[] = []
      const unsubscribe = store.onCommit((c) => gone.push(c))
      store.onCommit((c) => kept.push(c))
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_1')))
      unsubscribe()
      await store.transact((tx) => tx.subscribers.insert(subscriber('sub_2', { address: '10.0.0.2' })))
      expect(gone).toHaveLength(1)
      expect(kept).toHaveLength(2)
    })
  })
}
