import { describe, expect, it } from 'vitest'
import { subscriberTestKit } from './subscriber-test-kit.js'

describe('invoices page', () => {
  it('lists invoices newest first with number, subscriber, total and status', async () => {
    const k = await subscriberTestKit()
    const bob = await k.addSubscriber('Bob', '10.0.0.6')
    await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: k.topUpPlan.id })
    k.clock.advance(60_000)
    await k.call('POST', `/subscribers/${bob.id}/payments`, { amount: { amount: 500, currency: 'USD' } })
    await k.call('POST', `/subscribers/${bob.id}/topups`, {
      bytes: 2e9,
      price: { amount: 150, currency: 'USD' },
      chargeTo: 'balance',
    })
    const { html } = await k.browser.get('/invoices')
    const bobAt = html.indexOf(`<a href="/subscribers/${bob.id}">Bob</a>`)
    const aliceAt = html.indexOf(`<a href="/subscribers/${k.subscriber.id}">Alice</a>`)
    expect(bobAt).toBeGreaterThan(0)
    expect(aliceAt).toBeGreaterThan(bobAt)
    for (const invoice of Object.values(k.data.invoices))
      expect(html).toContain(`<a href="/invoices/${invoice.id}">${invoice.number}</a>`)
    expect(html).toContain('$1.50')
    expect(html).toContain('$5.00')
    expect(html).toContain('<span class="badge paid">paid</span>')
    expect(html).toContain('<span class="badge invoice-open">open</span>')
  })

  it('pages back through older invoices, 50 at a time', async () => {
    const k = await subscriberTestKit()
    for (let i = 0; i < 51; i++) {
      await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: k.topUpPlan.id })
      k.clock.advance(1000)
    }
    const rows = (html: string) => html.match(/<td><a href="\/subscribers\//g)?.length ?? 0
    const first = await k.browser.get('/invoices')
    expect(rows(first.html)).toBe(50)
    const older = /<a href="(\/invoices\?before=[^"]+)">Older invoices<\/a>/.exec(first.html)
    expect(older).not.toBeNull()
    const second = await k.browser.get(older![1]!)
    expect(rows(second.html)).toBe(1)
    expect(second.html).not.toContain('Older invoices')
    expect(second.html).toContain('<a href="/invoices">Newest</a>')
    const oldest = Object.values(k.data.invoices).sort((a, b) => (a.id < b.id ? -1 : 1))[0]!
    expect(second.html).toContain(`<a href="/invoices/${oldest.id}">${oldest.number}</a>`)
  })

  it('refuses a malformed cursor with a 400 page', async () => {
    const k = await subscriberTestKit()
    expect((await k.browser.get(`/invoices?before=${'x'.repeat(65)}`)).status).toBe(400)
  })
})
