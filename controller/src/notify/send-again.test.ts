import { describe, expect, it } from 'vitest'
import { Refusal } from '../domain/refusal.js'
import type { DeliveryStatus } from '../store/entities.js'
import { putDelivery } from '../testing/deliveries.js'
import { testApp } from '../testing/test-app.js'
import { sendAgain } from './send-again.js'

/** The domain refusal `run` ends in, or a failure when it succeeds. */
async function refusalOf(run: Promise<unknown>): Promise<Refusal> {
  try {
    await run
  } catch (err) {
    if (err instanceof Refusal) return err
    throw err
  }
  throw new Error('not refused')
}

async function setUp() {
  const t = await testApp()
  const seeded = await t.seed()
  t.env.channels = new Set(['email', 'sms'])
  await t.call('PATCH', `/subscribers/${seeded.subscriber.id}`, {
    email: 'alice@example.net',
    phone: '+254700000001',
  })
  const again = (id: string) => t.store.transact((tx) => sendAgain(tx, t.env, 'user:test', id))
  return { ...t, ...seeded, again }
}

describe('sending a message again', () => {
  it('queues a new delivery of the same notification for a sent or failed one, and refuses one still waiting', async () => {
    const t = await setUp()
    // Each status three times, in a random order: a resend must not depend on what came before.
    const order = (['queued', 'sending', 'sent', 'failed'] as DeliveryStatus[])
      .flatMap((s) => [s, s, s])
      .map((s) => ({ s, r: Math.random() }))
      .sort((a, b) => a.r - b.r)
      .map(({ s }) => s)
    for (const status of order) {
      // Sent to an address since changed: a waiting one is refused even though a resend would go elsewhere.
      const old = await putDelivery(t.store, t.env, {
        subscriberId: t.subscriber.id,
        status,
        to: 'old@example.net',
      })
      t.clock.advance(1000)
      const before = t.snapshot()
      if (status === 'queued' || status === 'sending') {
        const refusal = await refusalOf(t.again(old.id))
        expect(refusal.code, status).toBe('conflict')
        expect(refusal.message).toBe(`message ${old.id} is already waiting to be sent`)
        expect(t.snapshot(), status).toBe(before)
        continue
      }
      const fresh = await t.again(old.id)
      expect(fresh).toMatchObject({
        notificationId: old.notificationId,
        channel: 'email',
        to: 'alice@example.net',
        status: 'queued',
        attempts: 0,
        subscriberId: t.subscriber.id,
      })
      expect(fresh.id).not.toBe(old.id)
      const rows = await t.store.transact((tx) => tx.deliveries.forNotification(old.notificationId))
      expect(rows.find((r) => r.id === old.id)).toEqual(old)
      const audit = await t.store.transact((tx) => tx.audit.list(1))
      expect(audit[0]).toMatchObject({ action: 'delivery.resend', entityId: old.id, actor: 'user:test' })
      // Until it is sent, the same message is not queued a second time.
      expect((await refusalOf(t.again(old.id))).message).toContain('already waiting to be sent again')
    }
  })

  it("sends a customer's message to the contact on file now, and refuses when there is none", async () => {
    const t = await setUp()
    const email = await putDelivery(t.store, t.env, {
      subscriberId: t.subscriber.id,
      to: 'old@example.net',
      status: 'failed',
      lastError: '550 no such user',
    })
    const sms = await putDelivery(t.store, t.env, {
      subscriberId: t.subscriber.id,
      channel: 'sms',
      to: '+254700000009',
      status: 'sent',
    })
    expect((await t.again(email.id)).to).toBe('alice@example.net')
    expect((await t.again(sms.id)).to).toBe('+254700000001')

    const other = await putDelivery(t.store, t.env, { subscriberId: t.subscriber.id, status: 'failed' })
    await t.call('PATCH', `/subscribers/${t.subscriber.id}`, { email: null })
    const before = t.snapshot()
    expect((await refusalOf(t.again(other.id))).message).toBe('Alice has no e-mail address on file any more')
    expect(t.snapshot()).toBe(before)
  })

  it('refuses a channel no longer configured, a removed webhook endpoint, a deleted subscriber and an unknown id', async () => {
    const t = await setUp()
    const email = await putDelivery(t.store, t.env, { subscriberId: t.subscriber.id, status: 'sent' })
    const hook = await putDelivery(t.store, t.env, { channel: 'webhook', to: 'whk_gone', status: 'failed' })
    const staff = await putDelivery(t.store, t.env, {
      event: 'agent.offline',
      to: 'noc@isp.example',
      status: 'failed',
    })
    const before = t.snapshot()
    expect((await refusalOf(t.again(hook.id))).message).toContain('removed or disabled')
    expect((await refusalOf(t.again('dlv_nope'))).code).toBe('not_found')
    t.env.channels = new Set(['sms'])
    expect((await refusalOf(t.again(email.id))).message).toBe('no e-mail channel is configured')
    expect((await refusalOf(t.again(staff.id))).message).toBe('no e-mail channel is configured')
    expect(t.snapshot()).toBe(before)

    t.env.channels = new Set(['email'])
    expect((await t.again(staff.id)).to).toBe('noc@isp.example')
    expect((await t.call('DELETE', `/subscribers/${t.subscriber.id}`)).status).toBeLessThan(300)
    expect((await refusalOf(t.again(email.id))).code).toBe('deleted')
  })
})
