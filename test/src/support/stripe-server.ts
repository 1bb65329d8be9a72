/**
 * A Stripe-shaped server on 127.0.0.1 for end-to-end tests: the part of Stripe's API the stripe
 * package uses for Checkout (`POST /v1/checkout/sessions`, form-encoded, Bearer key, Idempotency-Key,
 * errors in Stripe's JSON shape) and a hosted payment page whose "Pay" button delivers a correctly
 * signed `checkout.session.completed` to the controller's webhook, then sends the browser back to
 * the success URL. The controller reaches it through CAPD_STRIPE_API_URL.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StripeSession {
  id: string
  url: string
  amount_total: number
  currency: string
  product: string
  client_reference_id: string | null
  metadata: Record<string, string>
  success_url: string
  cancel_url: string
  customer_email: string | null
  status: 'open' | 'complete' | 'expired'
  payment_status: 'paid' | 'unpaid'
}

export interface StripeServer {
  /** `http://127.0.0.1:<port>`: the value for CAPD_STRIPE_API_URL. */
  readonly url: string
  readonly secretKey: string
  readonly webhookSecret: string
  /** The controller's environment for cards through this server. */
  readonly controllerEnv: Record<string, string>
  /** Where "Pay" delivers its event: the controller's `/webhooks/stripe`, known once it listens. */
  webhookUrl: string | undefined
  /** Every session created, oldest first. */
  sessions(): StripeSession[]
  /** The webhook's answers, in delivery order. */
  deliveries(): { type: string; status: number }[]
  /** Delivers a signed event for `session` (as Stripe does when it happens, or retries). */
  deliver(type: string, session: StripeSession): Promise<number>
  close(): Promise<void>
}

export async function startStripeServer(options: { webhookUrl?: string } = {}): Promise<StripeServer> {
  const secretKey = `sk_test_capd_${randomBytes(12).toString('hex')}`
  const webhookSecret = `whsec_capd_${randomBytes(12).toString('hex')}`
  const sessions = new Map<string, StripeSession>()
  /** Idempotency-Key → the request body it was first used with and the session it made. */
  const keys = new Map<string, { body: string; sessionId: string }>()
  const deliveries: { type: string; status: number }[] = []
  let base = ''

  const server = createServer((req, res) => {
    route(req, res).catch((err: Error) => send(res, 500, 'text/plain', `stripe test server: ${err.message}`))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const stripe: StripeServer = {
    url: base,
    secretKey,
    webhookSecret,
    controllerEnv: {
      CAPD_STRIPE_SECRET_KEY: secretKey,
      CAPD_STRIPE_WEBHOOK_SECRET: webhookSecret,
      CAPD_STRIPE_API_URL: base,
    },
    webhookUrl: options.webhookUrl,
    sessions: () => [...sessions.values()],
    deliveries: () => [...deliveries],
    deliver,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return stripe

  async function route(req: IncomingMessage, res: ServerResponse): Promise<ServerResponse> {
    const url = new URL(req.url ?? '/', base)
    const body = await readBody(req)
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions')
      return createSession(req, res, body)
    const pay = /^\/pay\/(cs_test_\w+)$/.exec(url.pathname)
    const session = pay ? sessions.get(pay[1]!) : undefined
    if (pay && !session) return send(res, 404, 'text/plain', 'no such Checkout Session')
    if (session && req.method === 'GET') return send(res, 200, 'text/html; charset=utf-8', payPage(session))
    if (session && req.method === 'POST') return payAndReturn(res, session)
    return stripeError(
      res,
      404,
      'invalid_request_error',
      `Unrecognized request URL (${req.method}: ${url.pathname}).`,
    )
  }

  function createSession(req: IncomingMessage, res: ServerResponse, body: string): ServerResponse {
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
      const shown = given ? `${given.slice(0, 8)}****${given.slice(-4)}` : 'none'
      return stripeError(res, 401, 'invalid_request_error', `Invalid API Key provided: ${shown}`)
    }
    if (req.headers['content-type']?.split(';')[0] !== 'application/x-www-form-urlencoded') {
      return stripeError(res, 400, 'invalid_request_error', 'Expected a form-encoded body.')
    }
    const key = req.headers['idempotency-key']
    const earlier = typeof key === 'string' ? keys.get(key) : undefined
    if (earlier) {
      if (earlier.body !== body) {
        return stripeError(
          res,
          400,
          'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first used with.',
        )
      }
      return send(res, 200, 'application/json', JSON.stringify(sessionJson(sessions.get(earlier.sessionId)!)))
    }
    const form = new URLSearchParams(body)
    const problem = missing(form)
    if (problem) return stripeError(res, 400, 'invalid_request_error', problem.message, problem.param)
    const id = `cs_test_${randomBytes(16).toString('hex')}`
    const metadata: Record<string, string> = {}
    for (const [name, value] of form) {
      const m = /^metadata\[(\w+)\]$/.exec(name)
      if (m) metadata[m[1]!] = value
    }
    const session: StripeSession = {
      id,
      url: `${base}/pay/${id}`,
      amount_total:
        Number(form.get('line_items[0][price_data][unit_amount]')) *
        Number(form.get('line_items[0][quantity]')),
      currency: form.get('line_items[0][price_data][currency]')!,
      product: form.get('line_items[0][price_data][product_data][name]')!,
      client_reference_id: form.get('client_reference_id'),
      metadata,
      success_url: form.get('success_url')!,
      cancel_url: form.get('cancel_url')!,
      customer_email: form.get('customer_email'),
      status: 'open',
      payment_status: 'unpaid',
    }
    sessions.set(id, session)
    if (typeof key === 'string') keys.set(key, { body, sessionId: id })
    return send(res, 200, 'application/json', JSON.stringify(sessionJson(session)))
  }

  /** The customer pays: the webhook hears of it first (as with Stripe, usually), then the browser goes back. */
  async function payAndReturn(res: ServerResponse, session: StripeSession): Promise<ServerResponse> {
    if (session.status === 'expired')
      return send(res, 410, 'text/plain', 'This Checkout Session has expired.')
    if (session.status === 'open') {
      session.status = 'complete'
      session.payment_status = 'paid'
      const status = await deliver('checkout.session.completed', session)
      if (status !== 200) return send(res, 502, 'text/plain', `the merchant's webhook answered ${status}`)
    }
    return res
      .writeHead(303, { location: session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id) })
      .end()
  }

  async function deliver(type: string, session: StripeSession): Promise<number> {
    if (!stripe.webhookUrl) throw new Error('stripe test server: no webhookUrl to deliver to')
    const event = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      type,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object: sessionJson(session) },
    }
    const payload = JSON.stringify(event)
    const atS = Math.floor(Date.now() / 1000)
    const v1 = createHmac('sha256', webhookSecret).update(`${atS}.${payload}`).digest('hex')
    const answer = await fetch(stripe.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${atS},v1=${v1}` },
      body: payload,
    })
    await answer.arrayBuffer()
    deliveries.push({ type, status: answer.status })
    return answer.status
  }
}

/** The first required parameter absent or malformed, in Stripe's words. */
function missing(form: URLSearchParams): { param: string; message: string } | undefined {
  if (form.get('mode') !== 'payment')
    return { param: 'mode', message: 'This test server takes mode=payment only.' }
  for (const param of [
    'line_items[0][price_data][currency]',
    'line_items[0][price_data][unit_amount]',
    'line_items[0][price_data][product_data][name]',
    'line_items[0][quantity]',
    'success_url',
    'cancel_url',
  ]) {
    if (!form.get(param)) return { param, message: `Missing required param: ${param}.` }
  }
  const amount = Number(form.get('line_items[0][price_data][unit_amount]'))
  if (!Number.isSafeInteger(amount) || amount < 1) {
    return { param: 'line_items[0][price_data][unit_amount]', message: 'Invalid integer.' }
  }
  return undefined
}

function sessionJson(s: StripeSession) {
  return {
    id: s.id,
    object: 'checkout.session',
    mode: 'payment',
    url: s.status === 'open' ? s.url : null,
    amount_total: s.amount_total,
    currency: s.currency,
    client_reference_id: s.client_reference_id,
    metadata: s.metadata,
    customer_email: s.customer_email,
    success_url: s.success_url,
    cancel_url: s.cancel_url,
    status: s.status,
    payment_status: s.payment_status,
  }
}

function payPage(s: StripeSession): string {
  const amount = `${(s.amount_total / 100).toFixed(2)} ${s.currency.toUpperCase()}`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay ${html(amount)}</title></head>
<body><main><h1>Test checkout</h1><p>${html(s.product)}: <strong>${html(amount)}</strong></p>
<form method="post" action="/pay/${s.id}"><button type="submit">Pay</button></form>
<p><a href="${html(s.cancel_url)}">Cancel</a></p></main></body></html>`
}

function stripeError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  param?: string,
): ServerResponse {
  return send(
    res,
    status,
    'application/json',
    JSON.stringify({ error: { type, message, ...(param ? { param } : {}) } }),
  )
}

function send(res: ServerResponse, status: number, type: string, body: string): ServerResponse {
  return res.writeHead(status, { 'content-type': type }).end(body)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
