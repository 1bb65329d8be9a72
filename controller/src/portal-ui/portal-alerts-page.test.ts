import { describe, expect, it } from 'vitest'
import { subscriberTestKit } from '../operator-ui/subscriber-test-kit.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { fieldMarksIn, textOfId } from '../testing/field-marks.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

const ALL_ON = { email: 'on', sms: 'on', receipts: 'on' }

describe('portal: the Alerts page', () => {
  it('shows the e-mail on file, SMS disabled without a phone, receipts; saves; says when usage alerts are off', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    expect((await browser.get('/portal')).html).toContain('<a href="/portal/alerts">Alerts</a>')
    const page = (await browser.get('/portal/alerts')).html
    expect(page).toContain('<h1 id="alerts-title">Alerts</h1>')
    expect(page).toContain('We tell you when you have used 80% of your data, and when it runs out.')
    expect(textOfId(page, 'alerts-email-hint')).toContain('To anna@example.net.')
    expect(page).toMatch(/<input id="alerts-email" name="email" type="checkbox" value="on" checked=""/)
    expect(page).toMatch(/<input id="alerts-sms"[^>]* disabled=""/)
    expect(textOfId(page, 'alerts-sms-hint')).toBe(
      'No phone number is on file: ask your provider to add one to choose this.',
    )
    expect(page).toContain('Receipts by e-mail (top-ups, invoices, payments)')
    expect(page).not.toContain('id="alerts-off"')

    // E-mail alerts off (SMS is disabled, so not posted), receipts on.
    const reply = await browser.submit('/portal/alerts', '/portal/alerts', { receipts: 'on' })
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/portal/alerts')
    // SMS stays as it was: a phone added later works at once.
    expect(k.data.subscribers[k.anna.id]!.alerts).toEqual({ email: false, sms: true, receipts: true })
    const after = (await browser.get('/portal/alerts')).html
    expect(after).toContain(
      'Alerts saved. Usage alerts are off: you will not be told before your data runs out.',
    )
    expect(textOfId(after, 'alerts-off')).toBe(
      'Usage alerts are off: you will not be told before your data runs out.',
    )
    expect(after).not.toMatch(/id="alerts-email"[^>]*checked/)
    expect(k.data.subscribers[k.ben.id]!.alerts).toBeUndefined()

    await browser.submit('/portal/alerts', '/portal/alerts', { email: 'on' })
    expect(k.data.subscribers[k.anna.id]!.alerts).toEqual({ email: true, sms: true, receipts: false })
    expect((await browser.get('/portal/alerts')).html).toContain('Alerts saved.')
  })

  it('marks a way switched on without its contact, and a box with a value no form sends, changing nothing', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    await k.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(k.anna.id))!
      await tx.subscribers.update({ ...sub, alerts: { email: true, sms: false, receipts: true } })
    })
    const before = k.snapshot()
    // The SMS box is disabled on the page; a hand-made post ticks it anyway.
    await browser.submit('/portal/alerts', '/portal/alerts', ALL_ON)
    let page = (await browser.get('/portal/alerts')).html
    expect(fieldMarksIn(page, 'alerts-title')).toEqual([
      {
        name: 'sms',
        label: 'Usage alerts by SMS',
        message: 'Cannot be switched on without a phone number on file.',
      },
    ])
    await browser.submit('/portal/alerts', '/portal/alerts', { email: 'yes', receipts: 'on' })
    page = (await browser.get('/portal/alerts')).html
    expect(fieldMarksIn(page, 'alerts-title')).toEqual([
      {
        name: 'email',
        label: 'Usage alerts by e-mail',
        message: 'The form is out of date. Reload the page and try again.',
      },
    ])
    expect(k.snapshot()).toBe(before)
  })

  it('refuses a post without the page’s CSRF token, from another site, or naming a subscriber', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const before = k.snapshot()
    expect((await browser.post('/portal/alerts', { receipts: 'on' })).status).toBe(403)
    expect((await browser.post('/portal/alerts', { _csrf: 'forged', receipts: 'on' })).status).toBe(403)
    const crossSite = await browser.submit('/portal/alerts', '/portal/alerts', ALL_ON, {
      headers: { 'Sec-Fetch-Site': 'cross-site' },
    })
    expect(crossSite.status).toBe(403)
    // Every change is the session's subscriber's: a posted id is refused, not obeyed.
    const named = await browser.submit('/portal/alerts', '/portal/alerts', {
      receipts: 'on',
      subscriberId: k.ben.id,
    })
    expect(named.status).toBe(303)
    expect((await browser.get('/portal/alerts')).html).toContain('The form is out of date.')
    expect(k.snapshot()).toBe(before)
    // Logged out, the page sends the visitor to log in.
    const visitor = new BrowserCaller(k.app)
    expect((await visitor.get('/portal/alerts')).location).toBe('/portal')
  })

  it('are shown, read-only, on the operator’s subscriber page', async () => {
    const k = await subscriberTestKit()
    const id = k.subscriber.id
    let page = (await k.browser.get(`/subscribers/${id}`)).html
    expect(page).toContain(
      'Usage alerts by e-mail (no address on file) and SMS (no phone on file); receipts by e-mail (the defaults: the customer has not chosen)',
    )
    await k.call('PATCH', `/subscribers/${id}`, { email: 'alice@example.net' })
    await k.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(id))!
      await tx.subscribers.update({ ...sub, alerts: { email: true, sms: false, receipts: false } })
    })
    page = (await k.browser.get(`/subscribers/${id}`)).html
    expect(page).toContain('Usage alerts by e-mail; no receipts<')
    expect(page).not.toContain(`action="/subscribers/${id}/alerts"`)
  })
})
