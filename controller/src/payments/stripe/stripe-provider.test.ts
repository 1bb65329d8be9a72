import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Refusal } from '../../domain/refusal.js'
import { SECRET_KEY, SESSIONS_URL, stripeFixture, stripeSessions } from './stripe-test-kit.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

describe('starting a card payment', () => {
  it('asks Stripe for one Checkout Session at the order amount, and applies nothing', async () => {
    const sent = stripeSessions(server)
    const f = await stripeFixture()
    const { order, sessionId } = await f.buyByCard()
    expect(sent).toHaveLength(1)
    const { form, headers } = sent[0]!
    expect(headers.get('authorization')).toBe(`Bearer ${SECRET_KEY}`)
    expect(headers.get('idempotency-key')).toBe(order.id)
    expect(Object.fromEntries(form)).toEqual({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '500',
      'line_items[0][price_data][product_data][name]': 'Data top-up: 5 GB',
      client_reference_id: order.id,
      'metadata[orderId]': order.id,
      success_url: `https://isp.example/portal/orders/${order.id}?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `https://isp.example/portal/orders/${order.id}?cancelled=1`,
      customer_email: 'ann@example.net',
    })
    expect(f.data.orders[order.id]).toMatchObject({
      status: 'awaiting_payment',
      providerRef: sessionId,
      checkoutUrl: `https://checkout.stripe.com/c/pay/${sessionId}`,
    })
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
  })

  it('a retried start sends the same idempotency key, so Stripe answers with the same session', async () => {
    const sent = stripeSessions(server)
    const f = await stripeFixture()
    const { order } = await f.buyByCard()
    const again = await f.provider.start({
      order,
      subscriber: f.data.subscribers[f.sub.id]!,
      returnUrl: 'https://isp.example/r?x=1',
      cancelUrl: 'https://isp.example/c',
      callbackUrl: 'https://isp.example/unused',
    })
    expect(sent.map((s) => s.headers.get('idempotency-key'))).toEqual([order.id, order.id])
    expect(again.providerRef).toBe(f.data.orders[order.id]!.providerRef)
    // A return URL with a query keeps it and adds the session id after it.
    expect(sent[1]!.form.get('success_url')).toBe(
      'https://isp.example/r?x=1&session_id={CHECKOUT_SESSION_ID}',
    )
  })

  it('closes a session the order does not use by expiring it at Stripe', async () => {
    const expired: string[] = []
    server.use(
      http.post(`${SESSIONS_URL}/:id/expire`, ({ params, request }) => {
        expect(request.headers.get('authorization')).toBe(`Bearer ${SECRET_KEY}`)
        expired.push(String(params.id))
        return HttpResponse.json({ id: params.id, object: 'checkout.session', status: 'expired' })
      }),
    )
    const f = await stripeFixture()
    await f.provider.abandon('cs_test_unused')
    expect(expired).toEqual(['cs_test_unused'])
  })

  it("turns Stripe's errors into a plain payment_failed refusal, without Stripe's wording or the key", async () => {
    const cases = [
      {
        status: 401,
        error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${SECRET_KEY}` },
        said: /not set up correctly/,
      },
      {
        status: 400,
        error: {
          type: 'invalid_request_error',
          code: 'amount_too_small',
          message: 'Amount must be at least 50 cents',
        },
        said: /turned the payment down/,
      },
    ]
    for (const { status, error, said } of cases) {
      server.use(http.post(SESSIONS_URL, () => HttpResponse.json({ error }, { status })))
      const f = await stripeFixture()
      const err = await f.buyByCard().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Refusal)
      expect(err).toMatchObject({ code: 'payment_failed', message: expect.stringMatching(said) })
      expect((err as Error).message).not.toContain(SECRET_KEY)
      expect((err as Error).message).not.toContain(error.message)
    }
  })
})
