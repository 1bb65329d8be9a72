import { describe, expect, it } from 'vitest'
import type { Commit } from './commit-notes.js'
import { emptyData } from './data.js'
import { DocumentStore } from './document-store.js'
import type { Plan, Subscriber, TopUp } from './entities.js'

const plan = (id: string, capBytes = 1e9): Plan => ({
  id,
  name: id,
  capBytes,
  onCap: 'block',
  createdAtMs: 0,
})
const sub = (id: string, planId: string, extra: Partial<Subscriber> = {}) =>
  ({
    id,
    name: id,
    login: id,
    planId,
    agentId: 'agt_1',
    address: `10.0.0.${id.length}`,
    usedBytes: 0,
    ...extra,
  }) as Subscriber
const topUp = (id: string, subscriberId: string) => ({ id, subscriberId, bytes: 1 }) as TopUp

async function fixture() {
  const store = new DocumentStore(emptyData(), null)
  await store.transact(async (tx) => {
    await tx.plans.insert(plan('p1'))
    await tx.plans.insert(plan('p2'))
    await tx.subscribers.insert(sub('a', 'p1'))
    await tx.subscribers.insert(sub('bb', 'p1'))
    await tx.subscribers.insert(sub('ccc', 'p2'))
  })
  const heard: Commit[] = []
  store.onCommit((commit) => heard.push(commit))
  return { store, heard }
}

describe('a commit hands on the subscribers whose limits it changed', () => {
  it('names each subscriber a top-up, a row change or a plan change touched, once', async () => {
    const { store, heard } = await fixture()
    await store.transact(async (tx) => {
      await tx.topUps.insert(topUp('t1', 'a'))
      await tx.subscribers.update({ ...(await tx.subscribers.get('a'))!, address: '10.9.9.9' })
      await tx.plans.update({ ...(await tx.plans.get('p2'))!, capBytes: 5e9 })
    })
    expect(heard.map((c) => [...c.subscriberIds].sort())).toEqual([['a', 'ccc']])
  })

  it('is told before the transaction resolves, and only once it is durable', async () => {
    const { store, heard } = await fixture()
    const done = store.transact((tx) => tx.topUps.insert(topUp('t1', 'bb')))
    expect(heard).toEqual([])
    await done
    expect(heard).toEqual([
      {
        subscriberIds: ['bb'],
        shownSubscriberIds: [],
        deliveriesQueued: false,
        topUpsAdded: [topUp('t1', 'bb')],
        deliveryOutcomes: [],
      },
    ])
  })

  it('says nothing for usage, state, a plan rename, reads, or a transaction that threw', async () => {
    const { store, heard } = await fixture()
    await store.transact(async (tx) => {
      const a = (await tx.subscribers.get('a'))!
      await tx.subscribers.update({ ...a, usedBytes: 5, state: 'blocked' })
      await tx.plans.update({ ...(await tx.plans.get('p1'))!, name: 'Renamed' })
    })
    await store.transact((tx) => tx.subscribers.list())
    const refused = store.transact(async (tx) => {
      await tx.topUps.insert(topUp('t2', 'a'))
      throw new Error('refused')
    })
    await expect(refused).rejects.toThrow('refused')
    expect(heard).toEqual([])
  })

  it('a listener that unsubscribed hears nothing more', async () => {
    const { store } = await fixture()
    const heard: Commit[] = []
    const stop = store.onCommit((commit) => heard.push(commit))
    await store.transact((tx) => tx.topUps.insert(topUp('t1', 'a')))
    stop()
    await store.transact((tx) => tx.topUps.insert(topUp('t2', 'a')))
    expect(heard).toHaveLength(1)
  })

  it('names those whose row it wrote without auto top-up on, never one it did not write or that has it', async () => {
    const { store, heard } = await fixture()
    const on = { enabled: true, topUpPlanId: 'tpl_1' } as Subscriber['autoTopUp']
    await store.transact(async (tx) => {
      await tx.subscribers.update({ ...(await tx.subscribers.get('bb'))!, autoTopUp: on })
    })
    await store.transact(async (tx) => {
      await tx.topUps.insert(topUp('t1', 'a'))
      await tx.topUps.insert(topUp('t2', 'bb'))
      await tx.topUps.insert(topUp('t3', 'ccc'))
      for (const id of ['a', 'bb']) {
        const row = (await tx.subscribers.get(id))!
        await tx.subscribers.update({ ...row, limitVersion: (row.limitVersion ?? 0) + 1 })
      }
    })
    expect(heard.at(-1)!.withoutAutoTopUp).toEqual(['a'])
    await store.transact(async (tx) => {
      await tx.subscribers.update({
        ...(await tx.subscribers.get('bb'))!,
        autoTopUp: { ...on!, enabled: false },
      })
    })
    expect(heard.at(-1)!.withoutAutoTopUp).toEqual(['bb'])
  })
})
