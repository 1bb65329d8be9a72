import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { ChangeFeed } from '../live/change-feed.js'
import { BrowserCaller, csrfFrom } from '../testing/browser-caller.js'
import { bannerIn } from '../testing/field-marks.js'
import { STALE_FORM } from '../ui/form-check.js'
import { ANNA, BEN, fieldFrom, pagesKit } from './portal-pages-test-kit.js'

/** Ben with money and one top-up of his own, and Anna logged in next to him. */
async function twoCustomers() {
  const k = await pagesKit()
  await k.call('POST', `/subscribers/${k.ben.id}/payments`, { amount: { amount: 1000, currency: 'USD' } })
  const ben = await k.browserFor(BEN)
  const { reply } = await k.buy(ben)
  const benTopUpId = new URL(reply.location!, 'http://x').searchParams.get('topup')!
  const anna = await k.browserFor(ANNA)
  return { k, anna, ben, benTopUpId }
}

describe('portal pages: only the session’s own account', () => {
  it('shows nothing of another customer’s top-up: the same 404 as for one that never existed', async () => {
    const { k, anna, benTopUpId } = await twoCustomers()
    const foreign = await anna.get(`/portal?topup=${benTopUpId}&was=blocked`)
    const madeUp = await anna.get('/portal?topup=top_does_not_exist&was=blocked')
    expect(foreign.status).toBe(404)
    expect(madeUp.status).toBe(404)
    expect(foreign.html.replace(benTopUpId, '')).toBe(madeUp.html.replace('top_does_not_exist', ''))
    expect(foreign.html).not.toContain('Applying your top-up')
    const ownPage = (await anna.get('/portal')).html
    const history = (await anna.get('/portal/history')).html
    const benInvoice = Object.values(k.data.invoices).find((i) => i.subscriberId === k.ben.id)!
    for (const html of [foreign.html, ownPage, history]) {
      expect(html).not.toContain(benInvoice.number)
      expect(html).not.toContain(k.ben.id)
      expect(html).not.toContain('ben@example.net')
    }
  })

  it('ignores no field: a posted subscriberId is refused and changes nothing for anyone', async () => {
    const { k, anna } = await twoCustomers()
    const before = k.snapshot()
    const { reply } = await k.buy(anna, { subscriberId: k.ben.id })
    expect(reply.location).toBe('/portal')
    expect(k.snapshot()).toBe(before)
    // Not a field the customer can fix, and zod's "Unrecognized key" is not for them.
    expect(bannerIn((await anna.get('/portal')).html)).toBe(STALE_FORM)
    const auto = await anna.submit('/portal', '/portal/auto-topup', {
      subscriberId: k.ben.id,
      enabled: 'on',
      topUpPlanId: k.topUpPlan.id,
      maxPerPeriod: '2',
    })
    expect(auto.status).toBe(403)
    expect(k.snapshot()).toBe(before)
  })

  it('refuses posts without the CSRF field, with a wrong one, or from another site', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const page = (await browser.get('/portal')).html
    const form = { topUpPlanId: k.topUpPlan.id, idempotencyKey: fieldFrom(page, 'idempotencyKey') }
    const before = k.snapshot()
    const missing = await browser.post('/portal/topups', form)
    const wrong = await browser.post('/portal/topups', { ...form, _csrf: `${csrfFrom(page).slice(1)}x` })
    const cross = await browser.post(
      '/portal/topups',
      { ...form, _csrf: csrfFrom(page) },
      { headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } },
    )
    for (const reply of [missing, wrong, cross]) {
      expect(reply.status).toBe(403)
      expect(reply.html).toContain('Refused')
    }
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })

  it('sends a post without a session to the login page, changing nothing', async () => {
    const k = await pagesKit()
    const browser = new BrowserCaller(k.app)
    const before = k.snapshot()
    const reply = await browser.post('/portal/topups', { topUpPlanId: k.topUpPlan.id, idempotencyKey: 'k1' })
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/portal')
    expect(k.snapshot()).toBe(before)
    expect((await browser.get('/portal')).html).toContain('Your session has ended. Log in again.')
  })

  it('streams only the customer’s own changes, and only with a session', async () => {
    const k = await pagesKit()
    const feed = new ChangeFeed()
    const app = createApp({ store: k.store, env: k.env, isAgentConnected: () => false, changes: feed })
    const visitor = await new BrowserCaller(app).get('/portal/events', {
      headers: { accept: 'text/event-stream' },
    })
    expect(visitor.status).toBe(401)
    const browser = await k.browserFor(ANNA)
    const controller = new AbortController()
    const res = await app.request('/portal/events', {
      headers: { cookie: `capd_portal=${browser.cookies.get('capd_portal')}`, accept: 'text/event-stream' },
      signal: controller.signal,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = res.body!.getReader()
    const next = () => reader.read().then((r) => new TextDecoder().decode(r.value))
    expect(await next()).toContain('event: ready')
    const pending = next()
    const quiet = new Promise<string>((resolve) => setTimeout(() => resolve('nothing'), 200))
    feed.publish({ kind: 'subscribers', ids: [k.ben.id] })
    feed.publish({ kind: 'agents' })
    expect(await Promise.race([pending, quiet])).toBe('nothing')
    feed.publish({ kind: 'subscribers', ids: [k.ben.id, k.anna.id] })
    expect(await pending).toContain('event: change')
    controller.abort()
    await reader.cancel()
  })

  it('refuses an oversized form, changing nothing', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const before = k.snapshot()
    const reply = await browser.submit('/portal', '/portal/topups', {
      topUpPlanId: k.topUpPlan.id,
      idempotencyKey: 'big-1',
      padding: 'x'.repeat(20_000),
    })
    expect(reply.status).toBe(413)
    expect(k.snapshot()).toBe(before)
  })
})
