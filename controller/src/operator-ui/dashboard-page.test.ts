import { describe, expect, it } from 'vitest'
import { subscriberTestKit } from './subscriber-test-kit.js'

const GB = 1e9
const USD = (amount: number) => ({ amount, currency: 'USD' })

/** The figure shown above a card's caption. */
function figure(html: string, caption: string): string | undefined {
  return new RegExp(`<div class="figure">([^<]*)</div><div class="caption">${caption}</div>`).exec(html)?.[1]
}

/** The names listed under a dashboard heading, in order. */
function listed(html: string, titleId: string): string[] {
  const start = html.indexOf(`id="${titleId}"`)
  const section = html.slice(start, html.indexOf('</section>', start))
  return [...section.matchAll(/<a href="\/subscribers\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!)
}

describe('dashboard', () => {
  it('counts who is near their cap and who is blocked, listing them by share used', async () => {
    const k = await subscriberTestKit()
    const bob = await k.addSubscriber('Bob', '10.0.0.6')
    const carol = await k.addSubscriber('Carol', '10.0.0.7')
    const dave = await k.addSubscriber('Dave', '10.0.0.8')
    const eve = await k.addSubscriber('Eve', '10.0.0.9')
    await k.setUsage(k.subscriber.id, 85 * GB) // 15 GB of 100 left: near
    await k.setUsage(bob.id, 100 * GB, { state: 'blocked' }) // blocked, so not "near"
    await k.setUsage(carol.id, 10 * GB) // far
    await k.setUsage(dave.id, 95 * GB, { state: 'throttled' }) // 5 GB left: nearest
    await k.setUsage(eve.id, 85 * GB) // a 10 GB top-up makes 25 GB of 110 left: not near
    await k.call('POST', `/subscribers/${eve.id}/topups`, { topUpPlanId: k.topUpPlan.id })

    const { html } = await k.browser.get('/')
    expect(figure(html, 'Near their cap')).toBe('2')
    expect(figure(html, 'Blocked now')).toBe('1')
    expect(listed(html, 'near-cap-title')).toEqual(['Dave', 'Alice'])
    expect(listed(html, 'blocked-title')).toEqual(['Bob'])
    expect(html).toContain('<div id="dashboard" data-live')
  })

  it('shows at most 10 per list, with the count of all', async () => {
    const k = await subscriberTestKit()
    for (let i = 0; i < 12; i++) {
      const s = await k.addSubscriber(`Blocked ${i}`, `10.0.2.${i}`)
      await k.setUsage(s.id, 100 * GB, { state: 'blocked' })
    }
    const { html } = await k.browser.get('/')
    expect(figure(html, 'Blocked now')).toBe('12')
    expect(listed(html, 'blocked-title')).toHaveLength(10)
    expect(html).toContain('Showing 10 of 12.')
  })

  it('counts connected agents among those not revoked', async () => {
    const k = await subscriberTestKit()
    expect(figure((await k.browser.get('/')).html, 'Agents online')).toBe('0 of 1')
    const second = (await k.call('POST', '/agents', { name: 'tower-2' })).body
    const third = (await k.call('POST', '/agents', { name: 'tower-3' })).body
    expect((await k.call('POST', `/agents/${third.id}/revoke`)).status).toBe(200)
    k.connected.add(second.id)
    k.connected.add(third.id)
    expect(figure((await k.browser.get('/')).html, 'Agents online')).toBe('1 of 2')
  })

  it('counts money received this calendar month, not invoices issued nor balance moves', async () => {
    const k = await subscriberTestKit()
    const key = (n: string) => ({ 'idempotency-key': n })
    k.clock.set(Date.parse('2026-02-27T12:00:00Z'))
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, { amount: USD(1000) }) // last month
    k.clock.set(Date.parse('2026-03-10T12:00:00Z'))
    // Issued, unpaid: outstanding, not revenue.
    const open = (
      await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: k.topUpPlan.id })
    ).body
    const part = (
      await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { bytes: GB, price: USD(150) })
    ).body
    await k.call(
      'POST',
      `/invoices/${part.invoice.id}/payments`,
      { amount: USD(100), method: 'cash' },
      key('a'),
    )
    // Paid from the balance (money received last month): not revenue again.
    await k.call('POST', `/invoices/${open.invoice.id}/pay-from-balance`, undefined, key('b'))
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, { amount: USD(25) })
    const { html } = await k.browser.get('/')
    expect(figure(html, 'Received this month')).toBe('$1.25')
    expect(figure(html, 'Outstanding \\(1 open invoice\\)')).toBe('$0.50')
  })

  it("starts the month at local midnight in the controller's zone", async () => {
    const k = await subscriberTestKit({ timeZone: 'Pacific/Auckland' })
    // 28 Feb 12:00 UTC is 1 Mar 01:00 in Auckland (UTC+13): this month there.
    k.clock.set(Date.parse('2026-02-28T12:00:00Z'))
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, { amount: USD(500) })
    // 28 Feb 10:00 UTC is still 28 Feb 23:00 there: last month.
    k.clock.set(Date.parse('2026-02-28T10:00:00Z'))
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, { amount: USD(150) })
    k.clock.set(Date.parse('2026-03-10T12:00:00Z'))
    expect(figure((await k.browser.get('/')).html, 'Received this month')).toBe('$5.00')
  })
})
