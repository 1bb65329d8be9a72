import { describe, expect, it } from 'vitest'
import type { ChannelSender, OutgoingMessage } from '../notify/channel.js'
import type { Channel, Delivery, DeliveryStatus, NotificationEvent } from '../store/entities.js'
import { putDelivery } from '../testing/deliveries.js'
import { testApp } from '../testing/test-app.js'

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!

/** An e-mail channel that records what it is handed and answers with a provider id. */
function recordingEmail(): ChannelSender & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = []
  return {
    channel: 'email',
    sent,
    async send(out) {
      sent.push(out)
      return { ok: true, ref: `<${out.delivery.id}@smtp.test>` }
    },
  }
}

describe('the delivery log API', () => {
  it('lists newest first, filtered by status, channel, event and subscriber, every match once across pages', async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    const statuses: DeliveryStatus[] = ['queued', 'sending', 'sent', 'failed']
    const events: NotificationEvent[] = ['usage.threshold', 'topup.applied', 'agent.offline']
    const channels: Channel[] = ['email', 'sms', 'webhook']
    const made: Delivery[] = []
    for (let i = 0; i < 70; i++) {
      const event = pick(events)
      made.push(
        await putDelivery(t.store, t.env, {
          event,
          status: pick(statuses),
          channel: pick(channels),
          ...(event === 'agent.offline' ? {} : { subscriberId: pick([subscriber.id, 'sub_other']) }),
        }),
      )
      t.clock.advance(Math.floor(Math.random() * 3))
    }
    const filters: Record<string, string>[] = [
      {},
      { status: pick(statuses) },
      { channel: pick(channels), event: pick(events) },
      { subscriberId: subscriber.id, status: pick(statuses) },
      { event: pick(events), status: pick(statuses), channel: pick(channels) },
    ]
    for (const filter of filters) {
      const expected = made
        .filter((d) => Object.entries(filter).every(([k, v]) => (d as never)[k] === v))
        .map((d) => d.id)
        .reverse()
      const seen: string[] = []
      let before: string | null = null
      const limit = 1 + Math.floor(Math.random() * 20)
      do {
        const qs = new URLSearchParams({ ...filter, limit: String(limit), ...(before ? { before } : {}) })
        const page = await t.call('GET', `/deliveries?${qs}`)
        expect(page.status).toBe(200)
        expect(page.body.items.length).toBeLessThanOrEqual(limit)
        seen.push(...page.body.items.map((d: { id: string }) => d.id))
        before = page.body.nextCursor
      } while (before)
      expect(seen, JSON.stringify(filter)).toEqual(expected)
    }
  })

  it('refuses a bad filter with a 400 naming it', async () => {
    const t = await testApp()
    for (const [qs, field] of [
      ['status=lost', 'status'],
      ['channel=fax', 'channel'],
      ['event=usage.everything', 'event'],
      ['limit=0', 'limit'],
      ['limit=many', 'limit'],
      ['colour=red', ''],
    ]) {
      const res = await t.call('GET', `/deliveries?${qs}`)
      expect(res.status, qs).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      if (field) expect(res.body.error.details[0].path, qs).toBe(field)
    }
  })

  it("reads one message with its notification's variables; a resend is sent at once; one still waiting is refused", async () => {
    const email = recordingEmail()
    const t = await testApp({ notify: { senders: [email] } })
    const { subscriber } = await t.seed()
    t.env.channels = new Set(['email'])
    await t.call('PATCH', `/subscribers/${subscriber.id}`, { email: 'alice@example.net' })
    const failed = await putDelivery(t.store, t.env, {
      subscriberId: subscriber.id,
      status: 'failed',
      attempts: 7,
      lastError: '451 try later',
      vars: { name: 'Alice', percent: '80', used: '80 GB' },
    })
    const read = await t.call('GET', `/deliveries/${failed.id}`)
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({
      id: failed.id,
      status: 'failed',
      attempts: 7,
      lastError: '451 try later',
      nextAttemptAt: null,
      notification: { id: failed.notificationId, vars: { used: '80 GB' } },
    })
    expect((await t.call('GET', '/deliveries/dlv_missing')).status).toBe(404)

    const resent = await t.call('POST', `/deliveries/${failed.id}/resend`)
    expect(resent.status).toBe(201)
    expect(resent.body).toMatchObject({ status: 'queued', to: 'alice@example.net', attempts: 0 })
    // The sender is not started: only the route's kick makes it send.
    await t.outbox!.idle()
    expect(email.sent.map((o) => o.delivery.id)).toEqual([resent.body.id])
    const after = await t.call('GET', `/deliveries/${resent.body.id}`)
    expect(after.body).toMatchObject({ status: 'sent', providerRef: `<${resent.body.id}@smtp.test>` })

    const waiting = await putDelivery(t.store, t.env, { subscriberId: subscriber.id, status: 'queued' })
    const before = t.snapshot()
    const refused = await t.call('POST', `/deliveries/${waiting.id}/resend`)
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toContain('already waiting to be sent')
    expect(t.snapshot()).toBe(before)
    expect((await t.call('POST', '/deliveries/dlv_missing/resend')).status).toBe(404)
  })

  it('documents the routes in the OpenAPI document', async () => {
    const t = await testApp()
    const doc = (await t.call('GET', '/openapi.json')).body
    expect(Object.keys(doc.paths['/api/v1/deliveries'])).toEqual(['get'])
    expect(doc.paths['/api/v1/deliveries/{id}/resend'].post.responses).toHaveProperty('201')
    const params = doc.paths['/api/v1/deliveries'].get.parameters.map((p: { name: string }) => p.name)
    expect(params).toEqual(['status', 'channel', 'event', 'subscriberId', 'before', 'limit'])
  })
})
