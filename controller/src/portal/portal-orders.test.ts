import { describe, expect, it } from 'vitest'
import { setPaymentInstructions } from '../domain/payment-instructions.js'
import { TestCardProvider } from '../testing/test-card-provider.js'
import { ANNA, BEN, portalKit } from './portal-test-kit.js'

async function kit() {
  const card = new TestCardProvider()
  const k = await portalKit({ providers: [card] })
  await k.store.transact((tx) => setPaymentInstructions(tx, k.env, 'user:admin', 'Pay at the office.'))
  return { ...k, card }
}

const buy = (k: Awaited<ReturnType<typeof kit>>, session: object, key: string, body: object) =>
  k.portal('POST', '/portal/api/topups', { ...session, idempotencyKey: key, body })

describe('portal API: orders', () => {
  it('card: 201 with the order and where to pay; the same key again is the same order, one provider call', async () => {
    const k = await kit()
    const session = await k.login(ANNA)
    const body = { topUpPlanId: k.topUpPlan.id, pay: 'card' }
    const first = await buy(k, session, 'card-1', body)
    expect(first.status).toBe(201)
    expect(first.body.order).toMatchObject({
      status: 'awaiting_payment',
      provider: 'stripe',
      amount: k.topUpPlan.price,
    })
    expect(first.body.checkoutUrl).toBe(`https://pay.example.test/${first.body.order.id}`)
    const again = await buy(k, session, 'card-1', body)
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.order.id).toBe(first.body.order.id)
    expect(again.body.checkoutUrl).toBe(first.body.checkoutUrl)
    expect(k.card.started).toHaveLength(1)
    expect(Object.keys(k.data.orders)).toHaveLength(1)
    expect(Object.keys(k.data.topUps)).toHaveLength(0)
  })

  it('offline: 201 with the order and its unpaid pro-forma', async () => {
    const k = await kit()
    const reply = await buy(k, await k.login(ANNA), 'off-1', { topUpPlanId: k.topUpPlan.id, pay: 'offline' })
    expect(reply.status).toBe(201)
    expect(reply.body.proforma).toMatchObject({ number: expect.stringMatching(/^PRO-2026-/), status: 'open' })
    expect(reply.body.checkoutUrl).toBeUndefined()
  })

  it('balance: 201 with the applied order and the answer balance top-ups always gave', async () => {
    const k = await kit()
    const reply = await buy(k, await k.login(ANNA), 'bal-1', { topUpPlanId: k.topUpPlan.id, pay: 'balance' })
    expect(reply.status).toBe(201)
    expect(reply.body).toMatchObject({
      topUp: { bytes: 10e9 },
      invoice: { status: 'paid' },
      balance: { amount: 1500 },
    })
    expect(reply.body.order).toMatchObject({
      status: 'applied',
      provider: 'balance',
      topUpId: reply.body.topUp.id,
    })
    expect(k.data.topUps[reply.body.topUp.id]!.orderId).toBe(reply.body.order.id)
  })

  it('adds money to the balance by card', async () => {
    const k = await kit()
    const reply = await k.portal('POST', '/portal/api/balance', {
      ...(await k.login(ANNA)),
      idempotencyKey: 'add-1',
      body: { amount: { amount: 2500, currency: 'USD' }, pay: 'card' },
    })
    expect(reply.status).toBe(201)
    expect(reply.body.order).toMatchObject({ item: { kind: 'balance' }, amount: { amount: 2500 } })
    expect(reply.body.checkoutUrl).toBeDefined()
  })

  it('refuses a way to pay that is not set up, a bad amount and a missing key, changing nothing', async () => {
    const k = await portalKit()
    const session = await k.login(ANNA)
    const before = k.snapshot()
    for (const pay of ['card', 'mpesa', 'offline']) {
      const reply = await buy(k as never, session, `no-${pay}`, { topUpPlanId: k.topUpPlan.id, pay })
      expect(reply.status).toBe(422)
      expect(reply.body.error.code).toBe('payment_unavailable')
    }
    const zero = await k.portal('POST', '/portal/api/balance', {
      ...session,
      idempotencyKey: 'z',
      body: { amount: { amount: 0, currency: 'USD' }, pay: 'card' },
    })
    expect(zero.status).toBe(400)
    const noKey = await k.portal('POST', '/portal/api/topups', {
      ...session,
      body: { topUpPlanId: k.topUpPlan.id, pay: 'card' },
    })
    expect(noKey.status).toBe(400)
    expect(k.snapshot()).toBe(before)
  })

  it("reads the customer's own orders only: another's is a 404 like a missing one", async () => {
    const k = await kit()
    const placed = await buy(k, await k.login(ANNA), 'mine', { topUpPlanId: k.topUpPlan.id, pay: 'offline' })
    const anna = await k.portal('GET', `/portal/api/orders/${placed.body.order.id}`, await k.login(ANNA))
    expect(anna.status).toBe(200)
    expect(anna.body.id).toBe(placed.body.order.id)
    const ben = await k.login(BEN)
    const theirs = await k.portal('GET', `/portal/api/orders/${placed.body.order.id}`, ben)
    const missing = await k.portal('GET', '/portal/api/orders/ord_nope', ben)
    expect(theirs.status).toBe(404)
    expect(theirs.body).toEqual(missing.body)
  })
})
