/**
 * The Stripe-shaped test server speaks Stripe to the real stripe package: the controller's Stripe
 * provider creates its Checkout Session there, and the hosted page's "Pay" delivers a signed event
 * the controller's webhook accepts, then sends the browser back to the order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stripeFixture } from '../../controller/src/payments/stripe/stripe-test-kit.js'
import { type StripeServer, startStripeServer } from './support/stripe-server.js'

let stripe: StripeServer
let f: Awaited<ReturnType<typeof stripeFixture>>
let controller: { url: string; close(): Promise<void> }

beforeAll(async () => {
  stripe = await startStripeServer()
  f = await stripeFixture({
    nowMs: Date.now(),
    config: {
      secretKey: stripe.secretKey,
      webhookSecret: stripe.webhookSecret,
      api: { protocol: 'http', host: '127.0.0.1', port: Number(new URL(stripe.url).port) },
    },
  })
  controller = await f.serveWebhook()
  stripe.webhookUrl = controller.url
})
afterAll(async () => {
  await controller?.close()
  await stripe?.close()
})

describe('the Stripe test server', () => {
  it('makes the session the stripe package asks for, and its Pay button settles the order once', async () => {
    const { order, sessionId } = await f.buyByCard()
    const session = stripe.sessions().find((s) => s.id === sessionId)!
    expect(session).toMatchObject({
      amount_total: 500,
      currency: 'usd',
      product: 'Data top-up: 5 GB',
      client_reference_id: order.id,
      metadata: { orderId: order.id },
      customer_email: 'ann@example.net',
    })
    expect(f.data.orders[order.id]!.checkoutUrl).toBe(`${stripe.url}/pay/${sessionId}`)
    const page = await fetch(`${stripe.url}/pay/${sessionId}`)
    expect(await page.text()).toMatch(
      /Data top-up: 5 GB: <strong>5\.00 USD<\/strong>[\s\S]*<button type="submit">Pay<\/button>/,
    )
    expect(f.rows().payments).toHaveLength(0)

    const paid = await fetch(`${stripe.url}/pay/${sessionId}`, { method: 'POST', redirect: 'manual' })
    expect(paid.status).toBe(303)
    expect(paid.headers.get('location')).toBe(
      `https://isp.example/portal/orders/${order.id}?session_id=${sessionId}`,
    )
    expect(stripe.deliveries()).toEqual([{ type: 'checkout.session.completed', status: 200 }])
    expect(f.data.orders[order.id]!.status).toBe('applied')
    // Stripe's retry of the same news (a new event id) and a second press change nothing.
    expect(await stripe.deliver('checkout.session.completed', session)).toBe(200)
    await fetch(`${stripe.url}/pay/${sessionId}`, { method: 'POST', redirect: 'manual' })
    expect(f.rows().payments).toHaveLength(1)
  })

  it('answers a retried create with the same session, and a changed one with an idempotency error', async () => {
    const before = stripe.sessions().length
    const { order, sessionId } = await f.buyByCard()
    const again = await f.provider.start({
      order,
      subscriber: f.data.subscribers[f.sub.id]!,
      returnUrl: `https://isp.example/portal/orders/${order.id}`,
      cancelUrl: `https://isp.example/portal/orders/${order.id}?cancelled=1`,
      callbackUrl: 'https://isp.example/unused',
    })
    expect(again.providerRef).toBe(sessionId)
    expect(stripe.sessions()).toHaveLength(before + 1)
    const changed = f.provider.start({
      order,
      subscriber: f.data.subscribers[f.sub.id]!,
      returnUrl: 'https://elsewhere.example/',
      cancelUrl: 'https://elsewhere.example/',
      callbackUrl: 'https://isp.example/unused',
    })
    await expect(changed).rejects.toMatchObject({ code: 'payment_failed' })
  })

  it("refuses a wrong key and missing parameters in Stripe's error shape", async () => {
    const post = (auth: string, body: string) =>
      fetch(`${stripe.url}/v1/checkout/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
    const badKey = await post('sk_test_wrong_key_1234', 'mode=payment')
    expect(badKey.status).toBe(401)
    expect(await badKey.json()).toEqual({
      error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****1234' },
    })
    const noUrl = await post(
      stripe.secretKey,
      'mode=payment&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=5&line_items[0][price_data][product_data][name]=x&cancel_url=http://x/',
    )
    expect(noUrl.status).toBe(400)
    expect(await noUrl.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: 'success_url' },
    })
  })
})
