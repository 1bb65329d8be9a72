import { describe, expect, it } from 'vitest'
import { pruneRetained } from '../domain/retention.js'
import { putDelivery } from '../testing/deliveries.js'
import { testApp } from '../testing/test-app.js'
import { queueNotification } from './queue.js'

const DAY = 86_400_000

describe('forgetting the delivery log', () => {
  it('forgets sent and failed messages past the retention, and notifications left with none once 62 days old', async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    const retentionMs = 30 * DAY
    const at = (daysAgo: number) => t.clock.set(Date.parse('2026-03-10T12:00:00Z') - daysAgo * DAY)
    const notification = (key: string) =>
      t.store.transact(async (tx) =>
        queueNotification(tx, t.env, {
          key,
          event: 'usage.threshold',
          subscriberId: subscriber.id,
          vars: {},
          data: {},
        }),
      )
    const base = { subscriberId: subscriber.id }

    at(100)
    const gone = await putDelivery(t.store, t.env, { ...base, key: 'old/sent', status: 'sent' })
    const goneFailed = await putDelivery(t.store, t.env, { ...base, key: 'old/failed', status: 'failed' })
    const resentOld = await putDelivery(t.store, t.env, { ...base, key: 'old/resent', status: 'failed' })
    const stuck = await putDelivery(t.store, t.env, { ...base, key: 'old/open', status: 'sending' })
    await notification('old/silent') // decided with no channel configured: no message at all
    at(70)
    await notification('older-than-62/silent')
    at(40)
    const lastPeriod = await putDelivery(t.store, t.env, {
      ...base,
      key: 'usage/last-period',
      status: 'sent',
    })
    await notification('younger-than-62/silent')
    at(1)
    const resent = await putDelivery(t.store, t.env, { ...base, key: 'old/resent', status: 'sent' })
    const fresh = await putDelivery(t.store, t.env, { ...base, key: 'new/sent', status: 'failed' })
    at(0)

    await t.store.transact((tx) => pruneRetained(tx, t.env, retentionMs))

    const deliveries = (await t.store.transact((tx) => tx.deliveries.list())).map((d) => d.id)
    expect(deliveries.sort()).toEqual([stuck.id, resent.id, fresh.id].sort())
    const notifications = (await t.store.transact((tx) => tx.notifications.list())).map((n) => n.id)
    expect(notifications.sort()).toEqual(
      ['old/resent', 'old/open', 'usage/last-period', 'younger-than-62/silent', 'new/sent'].sort(),
    )
    expect(deliveries).not.toContain(gone.id)
    expect(deliveries).not.toContain(goneFailed.id)
    expect(deliveries).not.toContain(resentOld.id)
    expect(deliveries).not.toContain(lastPeriod.id)

    // A kept key still guards its decision; a forgotten one may be decided again.
    expect(await notification('usage/last-period')).toBeUndefined()
    expect(await notification('younger-than-62/silent')).toBeUndefined()
    expect(await notification('old/silent')).toBeDefined()
  })

  it("forgets an erased subscriber's notifications with their personal data, however young the keys", async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    await putDelivery(t.store, t.env, { key: 'other/sent', vars: { name: 'Bob' } })
    const theirs = await putDelivery(t.store, t.env, {
      subscriberId: subscriber.id,
      key: `usage/${subscriber.id}/x`,
      vars: { name: subscriber.name, login: subscriber.login },
    })
    expect((await t.call('DELETE', `/subscribers/${subscriber.id}`)).status).toBeLessThan(300)
    t.clock.advance(31 * DAY)
    await t.store.transact((tx) => pruneRetained(tx, t.env, 30 * DAY))
    expect(t.data.subscribers[subscriber.id]!.erasedAtMs).toBeDefined()
    // Past the 30 days both messages go; the other customer's key is younger than 62 days and stays.
    expect(t.data.deliveries[theirs.id]).toBeUndefined()
    expect(t.data.notifications['other/sent']).toBeDefined()
    expect(JSON.stringify(t.data.notifications)).not.toContain(subscriber.login)
    expect(t.data.notifications[theirs.notificationId]).toBeUndefined()
  })

  it('keeps everything younger than the retention when it is longer than 62 days', async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    const sent = await putDelivery(t.store, t.env, { subscriberId: subscriber.id })
    t.clock.advance(399 * DAY)
    await t.store.transact((tx) => pruneRetained(tx, t.env, 400 * DAY))
    expect(await t.store.transact((tx) => tx.deliveries.get(sent.id))).toEqual(sent)
    expect(await t.store.transact((tx) => tx.notifications.get(sent.notificationId))).toBeDefined()
    t.clock.advance(2 * DAY)
    await t.store.transact((tx) => pruneRetained(tx, t.env, 400 * DAY))
    expect(await t.store.transact((tx) => tx.deliveries.get(sent.id))).toBeUndefined()
    expect(await t.store.transact((tx) => tx.notifications.get(sent.notificationId))).toBeUndefined()
  })
})
