import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../app.js'
import { testApp } from '../../testing/test-app.js'
import { providerMap } from '../providers.js'
import { fakeDaraja, PAID, paidCallback, TEST_MPESA_CONFIG } from './fake-daraja-test-kit.js'
import { MpesaProvider } from './mpesa-provider.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

/** The whole app on a KES controller with M-Pesa configured, and a customer who can log in. */
async function kenya() {
  const t = await testApp({ currency: 'KES', nowMs: Date.parse('2026-12-01T07:15:09Z') })
  const daraja = fakeDaraja()
  server.use(...daraja.handlers)
  const app = createApp({
    store: t.store,
    env: t.env,
    isAgentConnected: () => false,
    payments: providerMap([new MpesaProvider(TEST_MPESA_CONFIG, { clock: t.clock })]),
    publicUrl: TEST_MPESA_CONFIG.publicUrl,
  })
  const plan = (await t.call('POST', '/plans', { name: 'Home', capBytes: 10e9, onCap: 'block' })).body
  const pack = (
    await t.call('POST', '/topup-plans', {
      name: '5 GB',
      bytes: 5e9,
      price: { amount: 5000, currency: 'KES' },
    })
  ).body
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const sub = (
    await t.call('POST', '/subscribers', {
      name: 'Wanjiru',
      login: 'wanjiru',
      password: 'wanjiru-secret-1',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.9',
    })
  ).body
  const request = async (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await app.request(
      new Request(`http://localhost${path}`, {
        method: init.method ?? 'GET',
        headers: { 'content-type': 'application/json', ...init.headers },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
      undefined,
      { incoming: { socket: { remoteAddress: '198.51.100.7' } } },
    )
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  const login = await app.request(
    new Request('http://localhost/portal/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'wanjiru', password: 'wanjiru-secret-1' }),
    }),
    undefined,
    { incoming: { socket: { remoteAddress: '198.51.100.7' } } },
  )
  expect(login.status).toBe(200)
  const session = {
    cookie: login.headers.get('set-cookie')!.split(';')[0]!,
    'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken,
  }
  return { ...t, app, daraja, pack, sub, request, session }
}

describe('M-Pesa through the portal', () => {
  it('buy with a phone → push to that phone → callback and query → applied once', async () => {
    const k = await kenya()
    // The buy form offers M-Pesa with its phone field.
    const page = await k.app.request(
      new Request('http://localhost/portal', { headers: { cookie: k.session.cookie } }),
      undefined,
      { incoming: { socket: { remoteAddress: '198.51.100.7' } } },
    )
    const html = await page.text()
    expect(html).toContain('M-Pesa')
    expect(html).toContain('name="phone"')
    const buy = (key: string) =>
      k.request('/portal/api/topups', {
        method: 'POST',
        headers: { ...k.session, 'idempotency-key': key },
        body: { topUpPlanId: k.pack.id, pay: 'mpesa', phone: '0722 000 111' },
      })
    const bought = await buy('mpesa-1')
    expect(bought.status).toBe(201)
    expect(bought.body.order).toMatchObject({ status: 'awaiting_payment', provider: 'mpesa' })
    expect(await buy('mpesa-1')).toMatchObject({ status: 201, body: { order: { id: bought.body.order.id } } })
    expect(k.daraja.state.pushes).toHaveLength(1)
    const push = k.daraja.state.pushes[0]!
    expect(push).toMatchObject({ Amount: 50, PartyA: '254722000111', PhoneNumber: '254722000111' })
    const callbackUrl = new URL(push.CallBackURL as string)
    expect(callbackUrl.origin).toBe(TEST_MPESA_CONFIG.publicUrl)
    const orderId = bought.body.order.id as string
    expect(callbackUrl.pathname).toContain(`/webhooks/mpesa/`)
    expect(callbackUrl.pathname).toContain(orderId)
    expect(Object.keys(k.data.topUps)).toHaveLength(0)
    const waiting = await k.app.request(
      new Request(`http://localhost/portal/orders/${orderId}`, { headers: { cookie: k.session.cookie } }),
      undefined,
      { incoming: { socket: { remoteAddress: '198.51.100.7' } } },
    )
    expect(await waiting.text()).toContain('Approve the payment request on your phone')

    // Daraja calls the URL it was given, the app answers it before any login, and asks the query.
    const checkoutRequestId = k.data.orders[orderId]!.providerRef!
    k.daraja.state.answers.set(checkoutRequestId, PAID)
    const deliver = () =>
      k.request(callbackUrl.pathname, { method: 'POST', body: paidCallback(checkoutRequestId, 50) })
    const replies = await Promise.all([deliver(), deliver(), deliver()])
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200])
    expect(replies[0]!.body).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' })
    expect(Object.keys(k.data.topUps)).toHaveLength(1)
    expect(Object.keys(k.data.payments)).toHaveLength(1)
    const order = await k.request(`/portal/api/orders/${orderId}`, { headers: k.session })
    expect(order.body.order ?? order.body).toMatchObject({ status: 'applied' })

    // The same path with another secret is nobody's.
    const forged = callbackUrl.pathname.replace(/[^/]+$/, 'not-the-secret')
    expect(
      (await k.request(forged, { method: 'POST', body: paidCallback(checkoutRequestId, 50) })).status,
    ).toBe(404)
  })

  it('a phone M-Pesa cannot use is refused on its field, and no order is placed', async () => {
    const k = await kenya()
    const reply = await k.request('/portal/api/topups', {
      method: 'POST',
      headers: { ...k.session, 'idempotency-key': 'mpesa-bad' },
      body: { topUpPlanId: k.pack.id, pay: 'mpesa', phone: '+255 712 345 678' },
    })
    expect(reply.status).toBe(400)
    expect(reply.body.error.details).toEqual([
      { path: 'phone', message: expect.stringContaining('07XX XXX XXX') },
    ])
    expect(k.data.orders).toEqual({})
    expect(k.daraja.state.pushes).toHaveLength(0)
  })
})
