/**
 * Stripe inside the whole app: a customer's card purchase through the portal API creates a Checkout
 * Session on Stripe's real endpoint (msw), and Stripe's signed delivery to `/webhooks/stripe` —
 * unauthenticated, through the app's body cap — applies it; a declined start applies nothing.
 */
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { setPaymentInstructions } from '../../domain/payment-instructions.js'
import { ANNA, portalKit } from '../../portal/portal-test-kit.js'
import { StripeProvider } from './stripe-provider.js'
import {
  SECRET_KEY,
  SESSIONS_URL,
  sessionEvent,
  stripeSessions,
  stripeSignature,
  WEBHOOK_SECRET,
} from './stripe-test-kit.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

async function kit() {
  const k = await portalKit({
    providers: [new StripeProvider({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET })],
  })
  await k.store.transact((tx) => setPaymentInstructions(tx, k.env, 'user:admin', 'Pay at the office.'))
  const deliver = async (body: string) => {
    const signature = stripeSignature(body, Math.floor(k.env.clock.now() / 1000))
    const res = await k.app.request('http://localhost/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    })
    return res.status
  }
  return { ...k, deliver }
}

describe('Stripe in the app', () => {
  it('a card purchase in the portal pays through Checkout and applies once on the signed webhook', async () => {
    const sent = stripeSessions(server)
    const k = await kit()
    const session = await k.login(ANNA)
    const bought = await k.portal('POST', '/portal/api/topups', {
      ...session,
      idempotencyKey: 'card-1',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'card' },
    })
    expect(bought.status).toBe(201)
    const order = bought.body.order
    expect(sent).toHaveLength(1)
    expect(sent[0]!.form.get('client_reference_id')).toBe(order.id)
    expect(sent[0]!.form.get('line_items[0][price_data][unit_amount]')).toBe(String(order.amount.amount))
    expect(sent[0]!.form.get('success_url')).toMatch(
      /^http:\/\/localhost\/portal\/.*session_id=\{CHECKOUT_SESSION_ID\}$/,
    )
    expect(bought.body.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/)
    const sessionId = k.data.orders[order.id]!.providerRef!
    expect(Object.keys(k.data.topUps)).toHaveLength(0)

    // Large metadata elsewhere in the event: the signature still holds over the exact bytes.
    const body = sessionEvent('evt_1', 'checkout.session.completed', {
      id: sessionId,
      orderId: order.id,
      amount_total: order.amount.amount,
    }).replace('"livemode":false', `"livemode":false,"padding":"${'é'.repeat(4000)}"`)
    expect(await k.deliver(body)).toBe(200)
    expect(await k.deliver(body)).toBe(200)
    const seen = await k.portal('GET', `/portal/api/orders/${order.id}`, session)
    expect(seen.body).toMatchObject({ id: order.id, status: 'applied' })
    expect(Object.keys(k.data.topUps)).toHaveLength(1)
    expect(Object.values(k.data.payments).filter((p) => p.orderId === order.id)).toEqual([
      expect.objectContaining({ method: 'card', providerRef: sessionId, amount: order.amount }),
    ])
  })

  it('a start Stripe declines fails the order, tells the customer plainly and applies nothing', async () => {
    server.use(
      http.post(SESSIONS_URL, () =>
        HttpResponse.json({ error: { type: 'api_error', message: 'internal' } }, { status: 400 }),
      ),
    )
    const k = await kit()
    const reply = await k.portal('POST', '/portal/api/topups', {
      ...(await k.login(ANNA)),
      idempotencyKey: 'card-2',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'card' },
    })
    expect(reply.status).toBe(422)
    expect(reply.body.error).toMatchObject({
      code: 'payment_failed',
      message: expect.stringMatching(/nothing was charged/),
    })
    expect(Object.values(k.data.orders)).toEqual([expect.objectContaining({ status: 'failed' })])
    expect(Object.keys(k.data.topUps)).toHaveLength(0)
  })
})
