import { describe, expect, it } from 'vitest'
import { putDelivery } from '../testing/deliveries.js'
import { staffTestKit } from './staff-test-kit.js'

const rowsOf = (html: string, id = 'deliveries') => {
  const table = html.split(`id="${id}"`)[1]?.split('</table>')[0] ?? ''
  return (table.match(/<tr>/g)?.length ?? 1) - 1
}
const unescapeAmp = (s: string) => s.replaceAll('&amp;', '&')

async function setUp() {
  const k = await staffTestKit()
  k.env.channels = new Set(['email', 'sms'])
  await k.call('PATCH', `/subscribers/${k.subscriber.id}`, { email: 'alice@example.net' })
  return k
}

describe('the delivery log page', () => {
  it('shows every message in plain words, filters by status, channel and event, and pages back 50 at a time', async () => {
    const k = await setUp()
    for (let i = 0; i < 55; i++) {
      await putDelivery(k.store, k.env, { subscriberId: k.subscriber.id, status: 'sent' })
      k.clock.advance(1000)
    }
    await putDelivery(k.store, k.env, {
      subscriberId: k.subscriber.id,
      event: 'topup.applied',
      status: 'failed',
      attempts: 3,
      lastError: '550 mailbox unavailable',
    })
    await putDelivery(k.store, k.env, {
      event: 'agent.offline',
      to: 'noc@isp.example',
      status: 'queued',
      attempts: 1,
    })
    await putDelivery(k.store, k.env, { subscriberId: k.subscriber.id, channel: 'sms', to: '+254700000001' })
    const { browser } = await k.sessionOf((await k.addAccount('sup', 'support')).id)

    const first = await browser.get('/notifications')
    expect(first.status).toBe(200)
    expect(rowsOf(first.html)).toBe(50)
    expect(first.html).toContain('<a href="/notifications" aria-current="page">Notifications</a>')
    expect(first.html).toContain(`<a href="/subscribers/${k.subscriber.id}">Alice</a>`)
    expect(first.html).toContain('Staff: noc@isp.example')
    expect(first.html).toContain('Top-up added')
    expect(first.html).toContain('550 mailbox unavailable')
    expect(first.html).toContain('<span class="badge delivery-failed">failed</span>')
    expect(first.html).toContain('<span class="badge delivery-queued">queued</span>')
    const older = unescapeAmp(/href="(\/notifications\?before=[^"]+)"/.exec(first.html)![1]!)
    expect(rowsOf((await browser.get(older)).html)).toBe(8)

    expect(rowsOf((await browser.get('/notifications?status=failed')).html)).toBe(1)
    expect(rowsOf((await browser.get('/notifications?channel=sms')).html)).toBe(1)
    const offline = await browser.get('/notifications?event=agent.offline&status=&channel=')
    expect(rowsOf(offline.html)).toBe(1)
    expect(offline.html).toContain('Agent offline')
    expect(rowsOf((await browser.get('/notifications?event=agent.offline&status=sent')).html)).toBe(0)
    expect((await browser.get('/notifications?status=lost')).status).toBe(400)
    expect((await browser.get('/notifications?event=usage.everything')).status).toBe(400)
  })

  it('shows one message: its attempts, last error, provider id and text; the subscriber page lists their last 10', async () => {
    const k = await setUp()
    const sent = await putDelivery(k.store, k.env, {
      subscriberId: k.subscriber.id,
      providerRef: '<m1@smtp.isp.example>',
      vars: { name: 'Alice', used: '81 GB' },
    })
    for (let i = 0; i < 11; i++) {
      k.clock.advance(1000)
      await putDelivery(k.store, k.env, { subscriberId: k.subscriber.id, event: 'payment.received' })
    }
    const { browser } = await k.sessionOf(k.admin.id)
    const page = await browser.get(`/notifications/${sent.id}`)
    expect(page.status).toBe(200)
    expect(page.html).toContain('&lt;m1@smtp.isp.example&gt;')
    expect(page.html).toContain('Hello Alice')
    expect(page.html).toContain('You have used 81 GB')
    expect(page.html).toContain('(this one)')
    expect((await browser.get('/notifications/dlv_missing')).status).toBe(404)

    const sub = await browser.get(`/subscribers/${k.subscriber.id}`)
    expect(rowsOf(sub.html, 'messages-title')).toBe(10)
    expect(sub.html).not.toContain(`href="/notifications/${sent.id}"`)
    expect(sub.html).toContain(`href="/notifications?subscriberId=${k.subscriber.id}"`)
    const theirs = await browser.get(`/notifications?subscriberId=${k.subscriber.id}`)
    expect(rowsOf(theirs.html)).toBe(12)
    expect(theirs.html).toContain('Only the messages of Alice')
  })

  it('"Send again" queues a sent or failed message again for staff who edit subscribers; support sees no button and is refused', async () => {
    const k = await setUp()
    const failed = await putDelivery(k.store, k.env, { subscriberId: k.subscriber.id, status: 'failed' })
    const support = await k.sessionOf((await k.addAccount('sup', 'support')).id)
    const billing = await k.sessionOf((await k.addAccount('bill', 'billing')).id)

    const seen = await support.browser.get('/notifications')
    expect(seen.html).not.toContain('Send again')
    expect((await support.browser.get(`/notifications/${failed.id}`)).html).not.toContain('Send again')
    const before = k.snapshot()
    const refused = await support.post(`/notifications/${failed.id}/resend`)
    expect(refused.status).toBe(403)
    expect(refused.html).toContain('the support role, which may not')
    expect(k.snapshot()).toBe(before)

    expect((await billing.browser.get('/notifications')).html).toContain('Send again')
    const done = await billing.post(`/notifications/${failed.id}/resend`)
    expect(done.status).toBe(303)
    const fresh = (await k.store.transact((tx) => tx.deliveries.forNotification(failed.notificationId))).find(
      (d) => d.id !== failed.id,
    )!
    expect(fresh).toMatchObject({ status: 'queued', to: 'alice@example.net' })
    expect(done.location).toBe(`/notifications/${fresh.id}`)
    const shown = await billing.browser.get(done.location!)
    expect(shown.html).toContain('queued to be sent again')
    // The queued one offers no button; posting anyway is refused and changes nothing.
    expect(shown.html).not.toContain(`/notifications/${fresh.id}/resend`)
    const again = k.snapshot()
    const twice = await billing.post(`/notifications/${fresh.id}/resend`)
    expect(twice.status).toBe(303)
    expect((await billing.browser.get(twice.location!)).html).toContain('already waiting to be sent')
    expect(k.snapshot()).toBe(again)
  })
})

describe('Settings → Notifications', () => {
  it('says which channels are configured and saves checked staff alert addresses (admins only)', async () => {
    const k = await setUp()
    k.env.channels = new Set(['sms'])
    const admin = await k.sessionOf(k.admin.id)
    const page = await admin.browser.get('/settings/notifications')
    expect(page.status).toBe(200)
    expect(page.html).toContain('not configured (set CAPD_SMTP_URL)')
    expect(page.html).toMatch(/<dt>SMS<\/dt><dd>configured<\/dd>/)
    expect((await admin.browser.get('/settings')).html).toContain('href="/settings/notifications"')

    const saved = await admin.post('/settings/notifications', {
      emails: 'noc@isp.example,  ops@isp.example\nNOC@isp.example',
    })
    expect(saved.status).toBe(303)
    const after = await admin.browser.get('/settings/notifications')
    expect(after.html).toContain('value="noc@isp.example, ops@isp.example"')

    const before = k.snapshot()
    for (const [emails, problem] of [
      ['noc@isp.example, not-an-address', 'Not an e-mail address: not-an-address.'],
      [
        Array.from({ length: 11 }, (_, i) => `a${i}@isp.example`).join(','),
        'Give at most 10 addresses (11 given).',
      ],
    ] as const) {
      const bad = await admin.post('/settings/notifications', { emails })
      expect(bad.status).toBe(303)
      const shown = await admin.browser.get(bad.location!)
      expect(shown.html).toContain(problem)
      expect(shown.html).toContain('aria-invalid="true"')
      expect(k.snapshot()).toBe(before)
    }

    const billing = await k.sessionOf((await k.addAccount('bill', 'billing')).id)
    expect((await billing.browser.get('/settings/notifications')).status).toBe(403)
    const refused = await billing.post('/settings/notifications', { emails: 'x@isp.example' })
    expect(refused.status).toBe(403)
  })
})
