/**
 * Stripe as tests see it: its Checkout Sessions endpoint answered by msw on the real URL, and
 * webhook deliveries signed here with node:crypto (not the stripe package's helpers, so a mistake
 * in how capd verifies cannot hide behind the same mistake in how the test signs).
 */
import { createHmac } from 'node:crypto'
import { memoryLogger } from '@capd/log'
import { Hono } from 'hono'
import { HttpResponse, http } from 'msw'
import type { SetupServer } from 'msw/node'
import { type OrderRequest, placeOrder, recordCheckout } from '../../domain/orders.js'
import { listen } from '../../server.js'
import { testApp } from '../../testing/test-app.js'
import type { StripeConfig } from './stripe-config.js'
import { StripeProvider } from './stripe-provider.js'

export const SECRET_KEY = 'sk_test_capd_0123456789abcdef'
export const WEBHOOK_SECRET = 'whsec_capd_test_secret'
export const SESSIONS_URL = 'https://api.stripe.com/v1/checkout/sessions'

/** A `Stripe-Signature` header for `body` as Stripe computes it: HMAC-SHA256 over `${t}.${body}`. */
export function stripeSignature(body: string, atS: number, secret = WEBHOOK_SECRET): string {
  const v1 = createHmac('sha256', secret).update(`${atS}.${body}`).digest('hex')
  return `t=${atS},v1=${v1}`
}

export interface SessionFields {
  id: string
  orderId?: string | null
  payment_status?: 'paid' | 'unpaid' | 'no_payment_required'
  amount_total?: number
  currency?: string
}

/** A Checkout Session event as Stripe sends it (the fields capd reads, plus a few it does not). */
export function sessionEvent(eventId: string, type: string, s: SessionFields): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2026-10-28.endive',
    type,
    livemode: false,
    data: {
      object: {
        id: s.id,
        object: 'checkout.session',
        mode: 'payment',
        client_reference_id: s.orderId ?? null,
        metadata: s.orderId ? { orderId: s.orderId } : {},
        payment_status: s.payment_status ?? 'paid',
        status: type === 'checkout.session.expired' ? 'expired' : 'complete',
        amount_total: s.amount_total ?? 500,
        currency: s.currency ?? 'usd',
      },
    },
  })
}

/** Every Checkout Session create the stripe package sent, decoded from its form body. */
export function stripeSessions(server: SetupServer) {
  const created: { form: URLSearchParams; headers: Headers }[] = []
  server.use(
    http.post(SESSIONS_URL, async ({ request }) => {
      const form = new URLSearchParams(await request.text())
      created.push({ form, headers: request.headers })
      const key = request.headers.get('idempotency-key') ?? String(created.length)
      const id = `cs_test_${key.replace(/\W/g, '')}`
      return HttpResponse.json({
        id,
        object: 'checkout.session',
        url: `https://checkout.stripe.com/c/pay/${id}`,
        client_reference_id: form.get('client_reference_id'),
        payment_status: 'unpaid',
        status: 'open',
      })
    }),
  )
  return created
}

/**
 * A controller with a subscriber, a 5 GB top-up for 5.00 USD, and Stripe as the card provider
 * (Stripe's own API unless `config` says otherwise; the clock stands at `nowMs`).
 */
export async function stripeFixture(options: { config?: Partial<StripeConfig>; nowMs?: number } = {}) {
  const t = await testApp(options.nowMs === undefined ? {} : { nowMs: options.nowMs })
  const plan = (await t.call('POST', '/plans', { name: 'Home', capBytes: 10e9, onCap: 'block' })).body
  const pack = (await t.call('POST', '/topup-plans', { name: '5 GB', bytes: 5e9, price: usd(500) })).body
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const sub = (
    await t.call('POST', '/subscribers', {
      name: 'Ann',
      login: 'ann',
      email: 'ann@example.net',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.1',
    })
  ).body
  const { logger, records } = memoryLogger()
  const provider = new StripeProvider({
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    ...options.config,
  })
  const webhook = provider.webhooks({ store: t.store, env: t.env, logger })

  /** Places a card order (the top-up unless told) and starts its Checkout Session, as the portal does. */
  async function buyByCard(request: OrderRequest = { kind: 'topup', topUpPlanId: pack.id }) {
    const order = await t.store.transact((tx) =>
      placeOrder(tx, t.env, `customer:${sub.id}`, sub.id, {
        request,
        provider: 'stripe',
      }),
    )
    const started = await provider.start({
      order,
      subscriber: t.data.subscribers[sub.id]!,
      returnUrl: `https://isp.example/portal/orders/${order.id}`,
      cancelUrl: `https://isp.example/portal/orders/${order.id}?cancelled=1`,
      callbackUrl: 'https://isp.example/unused',
    })
    await t.store.transact((tx) => recordCheckout(tx, t.env, order.id, started))
    return { order, sessionId: started.providerRef! }
  }

  /** Delivers `body` to the webhook, signed `ageS` seconds ago by the controller's clock. */
  function deliver(
    body: string,
    options: { ageS?: number; secret?: string; signature?: string | null } = {},
  ) {
    const atS = Math.floor(t.env.clock.now() / 1000) - (options.ageS ?? 0)
    const signature =
      options.signature === undefined ? stripeSignature(body, atS, options.secret) : options.signature
    return webhook.request('/', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'stripe-signature': signature }),
      },
      body,
    })
  }

  /** The webhook on a real server on 127.0.0.1, at the path the controller mounts it on. */
  async function serveWebhook(): Promise<{ url: string; close(): Promise<void> }> {
    const server = await listen(new Hono().route('/webhooks/stripe', webhook), 0, '127.0.0.1')
    return { url: `http://127.0.0.1:${server.port}/webhooks/stripe`, close: () => server.close() }
  }

  const rows = () => ({
    topUps: Object.values(t.data.topUps),
    invoices: Object.values(t.data.invoices).filter((i) => i.kind === 'invoice'),
    payments: Object.values(t.data.payments),
  })
  return { ...t, sub, pack, provider, webhook, buyByCard, deliver, serveWebhook, rows, logRecords: records }
}

export const usd = (amount: number) => ({ amount, currency: 'USD' })
