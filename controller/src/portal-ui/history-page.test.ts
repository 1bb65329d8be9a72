import { describe, expect, it } from 'vitest'
import { BrowserCaller } from '../testing/browser-caller.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

describe('portal history page', () => {
  it('lists the customer’s top-ups and invoices', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const empty = (await browser.get('/portal/history')).html
    expect(empty).toContain('<h1>History</h1>')
    expect(empty).toContain('No top-ups yet.')
    expect(empty).toContain('No invoices yet.')

    await k.buy(browser)
    await k.call('POST', `/subscribers/${k.anna.id}/topups`, {
      bytes: 2e9,
      price: { amount: 150, currency: 'USD' },
      chargeTo: 'invoice',
    })
    const page = await browser.get('/portal/history')
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const [bought, added] = Object.values(k.data.invoices)
    expect(page.html).toContain('<th scope="col">Number</th>')
    for (const text of [
      bought!.number,
      added!.number,
      '10 GB',
      '2 GB',
      '$5.00',
      '$1.50',
      'You',
      'Your provider',
    ]) {
      expect(page.html).toContain(text)
    }
    expect(page.html).toContain('<span class="badge paid">paid</span>')
    expect(page.html).toContain('<span class="badge invoice-open">open</span>')
    // Newest first.
    expect(page.html.indexOf(added!.number)).toBeLessThan(page.html.indexOf(bought!.number))
  })

  it('sends a visitor to the login page', async () => {
    const k = await pagesKit()
    const reply = await new BrowserCaller(k.app).get('/portal/history')
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/portal')
  })
})
