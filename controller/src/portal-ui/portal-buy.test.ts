import { describe, expect, it } from 'vitest'
import { ANNA, BEN, pagesKit } from './portal-pages-test-kit.js'

const annaTopUps = (k: Awaited<ReturnType<typeof pagesKit>>) =>
  Object.values(k.data.topUps).filter((t) => t.subscriberId === k.anna.id)

describe('buying a top-up in the portal', () => {
  it('charges the balance once, pushes the limit and shows the purchase as pending', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const { reply } = await k.buy(browser)
    expect(reply.status).toBe(303)
    const [topUp] = annaTopUps(k)
    expect(topUp).toMatchObject({
      source: 'portal',
      chargeTo: 'balance',
      bytes: 10e9,
      actor: `customer:${k.anna.id}`,
    })
    expect(reply.location).toBe(`/portal?topup=${topUp!.id}&was=open`)
    expect(k.data.subscribers[k.anna.id]!.balance.amount).toBe(1500)
    expect(k.limitsChanged).toEqual([k.anna.id])

    const page = await browser.get(reply.location!)
    expect(page.status).toBe(200)
    expect(page.html).toContain('Top-up of 10 GB bought for $5.00.')
    expect(page.html).toMatch(/<div id="topup-status" data-live="?[^"]*"? role="status">/)
    expect(page.html).toContain('Applying your top-up…')
    expect(page.html).toContain('110 GB left')
    expect(page.html).toContain('Balance: $15.00')
  })

  it('says "Access restored" once the agent enforces the new limit of a blocked customer', async () => {
    const k = await pagesKit()
    await k.useUp(k.anna.id)
    await k.agentApplies(k.anna.id, 'blocked')
    const browser = await k.browserFor(ANNA)
    const blocked = (await browser.get('/portal')).html
    expect(blocked).toContain('0 B left')
    expect(blocked).toContain('You have used all your data — access is paused until you top up')
    const { reply } = await k.buy(browser)
    expect(reply.location).toMatch(/&was=blocked$/)
    const pending = (await browser.get(reply.location!)).html
    expect(pending).toContain('Applying your top-up…')
    expect(pending).toContain('10 GB left')
    expect(pending).toContain('You are offline until your connection gets your new limit.')

    await k.agentApplies(k.anna.id, 'open')
    const page = (await browser.get(reply.location!)).html
    expect(page).toContain('Access restored')
    expect(page).not.toContain('Applying your top-up…')
    expect(page).not.toContain('You have used all your data')
    expect(page).not.toContain('You are offline')
  })

  it('says the top-up is used up when its confirmation is reopened after it was used (regression)', async () => {
    const k = await pagesKit()
    await k.useUp(k.anna.id)
    await k.agentApplies(k.anna.id, 'blocked')
    const browser = await k.browserFor(ANNA)
    const { reply } = await k.buy(browser)
    await k.agentApplies(k.anna.id, 'open')
    // The new data is used as well: the agent blocks again, at the version with the top-up.
    await k.useUp(k.anna.id)
    await k.agentApplies(k.anna.id, 'blocked')
    const page = (await browser.get(reply.location!)).html
    expect(page).toContain('You have used all your data — access is paused until you top up')
    expect(page).toContain('Your top-up is used up')
    expect(page).not.toContain('Applying your top-up…')
    expect(page).not.toContain('Access restored')
  })

  it('says "Top-up applied" to a customer who was online anyway', async () => {
    const k = await pagesKit()
    await k.agentApplies(k.anna.id, 'open')
    const browser = await k.browserFor(ANNA)
    const { reply } = await k.buy(browser)
    await k.agentApplies(k.anna.id, 'open')
    const page = (await browser.get(reply.location!)).html
    expect(page).toContain('Top-up applied')
    expect(page).not.toContain('Access restored')
  })

  it('buys once when the same form is sent twice', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const { form, reply } = await k.buy(browser)
    const again = await browser.post('/portal/topups', form)
    expect(again.status).toBe(303)
    expect(again.location).toBe(reply.location)
    expect(annaTopUps(k)).toHaveLength(1)
    expect(k.data.subscribers[k.anna.id]!.balance.amount).toBe(1500)
    // The same form again, back from the history with another choice, is refused.
    const other = await browser.post('/portal/topups', { ...form, topUpPlanId: 'tpp_other' })
    expect(other.location).toBe('/portal')
    expect((await browser.get('/portal')).html).toContain('This form was already used for another purchase.')
    expect(annaTopUps(k)).toHaveLength(1)
    // A freshly loaded form is a new purchase.
    await k.buy(browser)
    expect(annaTopUps(k)).toHaveLength(2)
  })

  it('refuses a purchase the balance cannot pay, saying how much is missing and changing nothing', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(BEN) // $3.00 for a $5.00 top-up
    await browser.get('/portal')
    const before = k.snapshot()
    const { reply } = await k.buy(browser)
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/portal')
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
    const page = (await browser.get('/portal')).html
    expect(page).toContain('Your balance of $3.00 is too low for this top-up ($5.00).')
    expect(page).toContain('Add at least $2.00 to your balance')
    expect(page).toContain('role="alert"')
  })

  it('keeps the offer a refused purchase chose, once', async () => {
    const k = await pagesKit()
    const dearer = (
      await k.call('POST', '/topup-plans', {
        name: '20 GB',
        bytes: 20e9,
        price: { amount: 900, currency: 'USD' },
      })
    ).body
    const browser = await k.browserFor(BEN) // $3.00: neither offer is affordable
    const radio = (html: string, id: string) => new RegExp(`value="${id}"[^>]*checked`).test(html)
    expect(radio((await browser.get('/portal')).html, k.topUpPlan.id)).toBe(true)
    await browser.submit('/portal', '/portal/topups', { topUpPlanId: dearer.id, idempotencyKey: 'refill-1' })
    const refused = (await browser.get('/portal')).html
    expect(refused).toContain('is too low for this top-up ($9.00)')
    expect(radio(refused, dearer.id)).toBe(true)
    expect(radio(refused, k.topUpPlan.id)).toBe(false)
    expect(radio((await browser.get('/portal')).html, k.topUpPlan.id)).toBe(true)
  })

  it('refuses an offer not on sale and a form without its idempotency key, changing nothing', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const page = (await browser.get('/portal')).html
    const before = k.snapshot()
    const { reply: unknown } = await k.buy(browser, { topUpPlanId: 'tpp_nope' })
    expect(unknown.location).toBe('/portal')
    expect((await browser.get('/portal')).html).toContain('That top-up is no longer on offer.')
    const noKey = await browser.submit('/portal', '/portal/topups', { topUpPlanId: k.topUpPlan.id })
    expect(noKey.location).toBe('/portal')
    expect((await browser.get('/portal')).html).toContain('The form is out of date.')
    expect(k.snapshot()).toBe(before)
    // Nothing that is not set up is named to the customer.
    expect(page).not.toMatch(/card payment|by card/i)
  })
})
