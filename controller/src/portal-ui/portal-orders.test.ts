import { describe, expect, it } from 'vitest'
import { closeOrder, settleOrder } from '../domain/order-settlement.js'
import { setPaymentInstructions } from '../domain/payment-instructions.js'
import { cardDeclined, TestCardProvider } from '../testing/test-card-provider.js'
import { ANNA, BEN, pagesKit } from './portal-pages-test-kit.js'

const INSTRUCTIONS = 'Bank: First Bank, account 12345678. Or pay cash at 1 Main Street, 9–17.'

async function kitWith(options: { card?: boolean; offline?: boolean } = {}) {
  const card = new TestCardProvider()
  const k = await pagesKit(options.card ? { providers: [card] } : {})
  if (options.offline) {
    await k.store.transact((tx) => setPaymentInstructions(tx, k.env, 'user:admin', INSTRUCTIONS))
  }
  return { ...k, card }
}

const orderIdIn = (location: string) => /^\/portal\/orders\/([^?]+)/.exec(location)![1]!

describe('portal orders: paying through a provider', () => {
  it('offers only the ways to pay that are set up, and never names the others', async () => {
    const plain = await kitWith()
    const html = (await (await plain.browserFor(ANNA)).get('/portal')).html
    expect(html).toContain('Buy with balance')
    for (const absent of ['Card', 'office', 'M-Pesa', 'by card', 'How to pay'])
      expect(html).not.toContain(absent)

    const k = await kitWith({ card: true, offline: true })
    const page = (await (await k.browserFor(ANNA)).get('/portal')).html
    expect(page).toContain('How to pay')
    expect(page).toMatch(/name="pay" value="balance"/)
    expect(page).toMatch(/name="pay" value="card"/)
    expect(page).toMatch(/name="pay" value="offline"/)
    expect(page).not.toMatch(/value="mpesa"/)
  })

  it('card: order page waits with the way to pay, then says "Access restored" once paid and enforced', async () => {
    const k = await kitWith({ card: true })
    await k.useUp(k.anna.id)
    await k.agentApplies(k.anna.id, 'blocked')
    const browser = await k.browserFor(ANNA)
    const { reply } = await k.buy(browser, { pay: 'card' })
    expect(reply.status).toBe(303)
    expect(reply.location).toMatch(/^\/portal\/orders\/ord_[^?]+\?was=blocked$/)
    const orderId = orderIdIn(reply.location!)
    expect(k.card.started).toHaveLength(1)
    expect(k.card.started[0]!.returnUrl).toBe(`http://localhost${reply.location}`)

    const waiting = (await browser.get(reply.location!)).html
    expect(waiting).toContain('Waiting for payment')
    expect(waiting).toContain(`href="https://pay.example.test/${orderId}"`)
    expect(Object.values(k.data.topUps).filter((t) => t.subscriberId === k.anna.id)).toHaveLength(0)

    // The provider confirms (as its webhook would): the order is applied, the limit pushed.
    k.limitsChanged.length = 0
    const order = k.data.orders[orderId]!
    await k.store.transact((tx) =>
      settleOrder(tx, k.env, {
        orderId,
        provider: 'stripe',
        amount: order.amount,
        method: 'card',
        actor: 'stripe',
      }),
    )
    expect(k.limitsChanged).toEqual([k.anna.id])
    const applying = (await browser.get(reply.location!)).html
    expect(applying).toContain('Payment received — applying your top-up')
    await k.agentApplies(k.anna.id, 'open')
    const restored = (await browser.get(reply.location!)).html
    expect(restored).toContain('Access restored')
    expect(restored).not.toContain('Waiting for payment')
    expect(restored).not.toContain('applying your top-up')
  })

  it('card: a failed payment says so with a retry link; a provider that refuses at once is said plainly', async () => {
    const k = await kitWith({ card: true })
    const browser = await k.browserFor(ANNA)
    const { reply } = await k.buy(browser, { pay: 'card' })
    const orderId = orderIdIn(reply.location!)
    await k.store.transact((tx) => closeOrder(tx, k.env, orderId, 'expired', 'checkout expired', 'stripe'))
    const expired = (await browser.get(reply.location!)).html
    expect(expired).toContain('Payment expired')
    expect(expired).toContain('Try again')

    k.card.failNext = cardDeclined()
    const before = Object.keys(k.data.topUps).length
    const { reply: refused } = await k.buy(browser, { pay: 'card' })
    expect(refused.status).toBe(303)
    expect(refused.location).toBe('/portal')
    const home = (await browser.get('/portal')).html
    expect(home).toContain('The payment could not be started, and nothing was charged.')
    expect(Object.keys(k.data.topUps)).toHaveLength(before)
    const failed = Object.values(k.data.orders).filter((o) => o.status === 'failed')
    expect(failed).toHaveLength(1)
  })

  it('offline: shows the instructions and the pro-forma number, then the applied top-up once recorded', async () => {
    const k = await kitWith({ offline: true })
    const browser = await k.browserFor(ANNA)
    const { reply } = await k.buy(browser, { pay: 'offline' })
    const orderId = orderIdIn(reply.location!)
    const order = k.data.orders[orderId]!
    const proforma = k.data.invoices[order.proformaId!]!
    expect(proforma.number).toMatch(/^PRO-2026-\d{6}$/)
    const waiting = (await browser.get(reply.location!)).html
    expect(waiting).toContain('Waiting for payment')
    expect(waiting).toContain(proforma.number)
    expect(waiting).toContain('First Bank, account 12345678')

    await k.store.transact((tx) =>
      settleOrder(tx, k.env, {
        orderId,
        provider: 'offline',
        amount: order.amount,
        method: 'cash',
        actor: 'user:admin',
      }),
    )
    await k.agentApplies(k.anna.id, 'open')
    const applied = (await browser.get(reply.location!)).html
    expect(applied).toContain('Top-up applied')
  })

  it("shows no one else's order: another customer's order is a 404 like a missing one", async () => {
    const k = await kitWith({ offline: true })
    const anna = await k.browserFor(ANNA)
    const { reply } = await k.buy(anna, { pay: 'offline' })
    const ben = await k.browserFor(BEN)
    const theirs = await ben.get(reply.location!)
    const missing = await ben.get('/portal/orders/ord_nope')
    expect(theirs.status).toBe(404)
    expect(missing.status).toBe(404)
    expect(theirs.html).not.toContain(INSTRUCTIONS.slice(0, 10))
  })

  it('refuses a way to pay that is not set up, changing nothing', async () => {
    const k = await kitWith()
    const browser = await k.browserFor(ANNA)
    const before = k.snapshot()
    const { reply } = await k.buy(browser, { pay: 'offline' })
    expect(reply.location).toBe('/portal')
    expect((await browser.get('/portal')).html).toContain('That way to pay is not offered.')
    expect(k.snapshot()).toBe(before)
  })
})
