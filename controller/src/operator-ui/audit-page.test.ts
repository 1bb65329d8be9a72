import { describe, expect, it } from 'vitest'
import { staffTestKit } from './staff-test-kit.js'

const rowsOf = (html: string) => (html.match(/<tr>/g)?.length ?? 1) - 1

describe('the audit log page', () => {
  it('names the staff member who did each thing, and filters by who, what, on what and when', async () => {
    const k = await staffTestKit()
    const bill = await k.addAccount('bill', 'billing')
    const sup = await k.addAccount('sup', 'support')
    const billing = await k.sessionOf(bill.id)
    const topup = (s: typeof billing) =>
      s.post(`/subscribers/${k.subscriber.id}/topups`, {
        bytes: '1',
        bytesUnit: 'GB',
        price: '0',
        chargeTo: 'invoice',
        idempotencyKey: crypto.randomUUID(),
      })
    expect((await topup(billing)).status).toBe(303)
    k.clock.advance(2 * 86_400_000)
    const admin = await k.sessionOf(k.admin.id)
    expect((await topup(admin)).status).toBe(303)
    expect((await admin.post(`/staff/${sup.id}/role`, { role: 'billing' })).status).toBe(303)

    const { browser } = await k.sessionOf(sup.id)
    const all = await browser.get('/audit')
    expect(all.status).toBe(200)
    expect(all.html).toContain('>bill</a>')
    expect(all.html).toContain('>admin</a>')
    expect(all.html).toMatch(/api token tok_/)

    const byBill = await browser.get('/audit?actor=bill')
    expect(rowsOf(byBill.html)).toBe(1)
    expect(byBill.html).toContain('topup.create')
    const adminTopups = await browser.get('/audit?actor=ADMIN&action=topup')
    expect(rowsOf(adminTopups.html)).toBe(1)
    const onSup = await browser.get(`/audit?target=${sup.id}`)
    expect(onSup.html).toContain('staff.role')
    expect(onSup.html).toContain('staff.create')
    expect(onSup.html).not.toContain('<td>topup.create</td>')
    expect(rowsOf(onSup.html)).toBe(2)
    const subscriberPage = await browser.get(`/subscribers/${k.subscriber.id}`)
    expect(subscriberPage.html).toContain(`href="/audit?target=${k.subscriber.id}"`)
    const onSubscriber = await browser.get(`/audit?target=${k.subscriber.id}&action=topup.create`)
    expect(rowsOf(onSubscriber.html)).toBe(2)
    const firstDay = await browser.get(`/audit?action=topup&from=2026-03-10&to=2026-03-10`)
    expect(rowsOf(firstDay.html)).toBe(1)
    expect(firstDay.html).toContain('>bill</a>')
    const later = await browser.get(`/audit?action=topup&from=2026-03-11`)
    expect(rowsOf(later.html)).toBe(1)
    expect(later.html).toContain('>admin</a>')
    const token = await browser.get(`/audit?actor=${encodeURIComponent('api token')}`)
    expect(token.html).toContain('No staff account has the login')
    expect((await browser.get('/audit?from=2026-02-30')).status).toBe(400)
    expect((await browser.get('/audit?from=yesterday')).status).toBe(400)
  })

  it('pages back 50 at a time through every entry once', async () => {
    const k = await staffTestKit()
    const admin = await k.sessionOf(k.admin.id)
    const target = await k.addAccount('flip', 'support')
    for (let i = 0; i < 60; i++) {
      await admin.post(`/staff/${target.id}/role`, { role: i % 2 === 0 ? 'billing' : 'support' })
    }
    const first = await admin.browser.get(`/audit?action=staff.role`)
    expect(rowsOf(first.html)).toBe(50)
    const older = /href="(\/audit\?action=staff\.role&amp;before=[^"]+)"/
      .exec(first.html)![1]!
      .replaceAll('&amp;', '&')
    const second = await admin.browser.get(older)
    expect(rowsOf(second.html)).toBe(10)
    expect(second.html).not.toContain('Older entries')
  })

  it('the API audit log says who in words: api token <id>, a staff login', async () => {
    const k = await staffTestKit()
    const billing = await k.sessionOf((await k.addAccount('bill', 'billing')).id)
    await billing.post(`/subscribers/${k.subscriber.id}/payments`, {
      amount: '1.00',
      idempotencyKey: crypto.randomUUID(),
    })
    const audit = await k.call('GET', '/audit?limit=5')
    expect(audit.body.items[0]).toMatchObject({ actorName: 'bill', action: 'payment.create' })
    expect(audit.body.items.find((a: { action: string }) => a.action === 'subscriber.create')).toMatchObject({
      actorName: expect.stringMatching(/^api token tok_/),
    })
  })
})
