import { describe, expect, it } from 'vitest'
import { portalApi } from './portal-api.js'
import { ANNA, BEN, portalKit } from './portal-test-kit.js'

describe('portal: own data only', () => {
  it('GET /me shows the caller their usage, state, balance, offers and auto top-up; no secrets, no one else', async () => {
    const k = await portalKit()
    const retired = (
      await k.call('POST', '/topup-plans', {
        name: 'Old 1 GB',
        bytes: 1e9,
        price: { amount: 100, currency: 'USD' },
      })
    ).body
    await k.call('POST', `/topup-plans/${retired.id}/retire`)
    const { cookie } = await k.login(ANNA)
    const me = await k.portal('GET', '/portal/api/me', { cookie })
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({
      login: 'anna',
      state: 'open',
      balance: { amount: 2000, currency: 'USD' },
      usage: {
        usedBytes: 0,
        limitBytes: 100e9,
        remainingBytes: 100e9,
        periodStart: '2026-03-01T00:00:00.000Z',
        periodEnd: '2026-04-01T00:00:00.000Z',
      },
      autoTopUp: { enabled: false },
      csrfToken: expect.any(String),
    })
    expect(me.body.topUpPlans.map((p: { id: string }) => p.id)).toEqual([k.topUpPlan.id])
    const text = JSON.stringify(me.body)
    expect(text).not.toMatch(/passwordHash|scrypt/)
    for (const other of [k.ben.id, 'ben', k.ben.address]) expect(text).not.toContain(other)
  })

  it('takes an id in the path only where it checks the owner (orders: see portal-orders.test.ts)', () => {
    const routes = portalApi({ store: {} as never, env: {} as never, isAgentConnected: () => false }).routes
    expect(routes.length).toBeGreaterThan(5)
    const withId = routes.filter((r) => r.path.includes(':')).map((r) => `${r.method} ${r.path}`)
    expect([...new Set(withId)]).toEqual(['GET /orders/:id'])
  })

  it("gives customer A no way to read or change B's data (IDOR)", async () => {
    const k = await portalKit()
    // B has history: a top-up and its invoice.
    await k.call('POST', `/subscribers/${k.ben.id}/payments`, { amount: { amount: 1000, currency: 'USD' } })
    const b = await k.login(BEN)
    const bTopUp = await k.portal('POST', '/portal/api/topups', {
      ...b,
      idempotencyKey: 'ben-1',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
    })
    expect(bTopUp.status).toBe(201)
    const a = await k.login(ANNA)
    const bIds = [k.ben.id, bTopUp.body.topUp.id, bTopUp.body.invoice.id]

    // Reads: B's ids in paths and queries find nothing of B's.
    for (const id of bIds) {
      for (const path of [
        `/portal/api/me?subscriberId=${id}&id=${id}`,
        `/portal/api/topups?subscriberId=${id}`,
        `/portal/api/invoices?subscriberId=${id}`,
        `/portal/api/subscribers/${id}`,
        `/portal/api/topups/${id}`,
        `/portal/api/invoices/${id}`,
      ]) {
        const reply = await k.portal('GET', path, a)
        if (reply.status === 404) {
          // No such route (its message echoes the path, so only the code is checked).
          expect(reply.body.error.code).toBe('not_found')
          continue
        }
        expect(reply.status).toBe(200)
        const text = JSON.stringify(reply.body)
        for (const bId of bIds) expect(text).not.toContain(bId)
      }
    }
    const aTopUps = await k.portal('GET', '/portal/api/topups', a)
    expect(aTopUps.body.items).toEqual([])

    // Writes: B's id in the body is refused, in the path is no route; B is unchanged.
    const before = k.snapshot()
    for (const [path, body] of [
      ['/portal/api/topups', { topUpPlanId: k.topUpPlan.id, pay: 'balance', subscriberId: k.ben.id }],
      [
        `/portal/api/topups?subscriberId=${k.ben.id}`,
        { topUpPlanId: k.topUpPlan.id, pay: 'balance', id: k.ben.id },
      ],
      [`/portal/api/subscribers/${k.ben.id}/topups`, { topUpPlanId: k.topUpPlan.id, pay: 'balance' }],
    ] as const) {
      const reply = await k.portal('POST', path, { ...a, idempotencyKey: `idor-${path}`, body })
      expect([400, 404]).toContain(reply.status)
    }
    expect(k.snapshot()).toBe(before)
  })
})

describe('portal: cross-site requests', () => {
  const attempts = [
    ['an Origin of another site', { origin: 'https://evil.example' }, true],
    ['Origin: null', { origin: 'null' }, true],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, true],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }, true],
    ['no CSRF token', {}, false],
    ['a wrong CSRF token', { 'x-csrf-token': 'A'.repeat(43) }, false],
  ] as const

  for (const [what, headers, sendCsrf] of attempts) {
    it(`refuses a top-up with ${what} and changes nothing`, async () => {
      const k = await portalKit()
      const { cookie, csrf } = await k.login(ANNA)
      const before = k.snapshot()
      const reply = await k.portal('POST', '/portal/api/topups', {
        cookie,
        ...(sendCsrf ? { csrf } : {}),
        headers,
        idempotencyKey: 'k1',
        body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
      })
      expect(reply.status).toBe(403)
      expect(reply.body.error.code).toBe(sendCsrf ? 'cross_site' : 'csrf')
      expect(k.snapshot()).toBe(before)
      expect(k.limitsChanged).toEqual([])
    })
  }

  it('accepts the same request from its own origin', async () => {
    const k = await portalKit()
    const { cookie, csrf } = await k.login(ANNA)
    const reply = await k.portal('POST', '/portal/api/topups', {
      cookie,
      csrf,
      headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
      idempotencyKey: 'k1',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
    })
    expect(reply.status).toBe(201)
  })

  it('believes Sec-Fetch-Site over Origin: a no-referrer page posts same-origin with Origin: null', async () => {
    const k = await portalKit()
    const { cookie, csrf } = await k.login(ANNA)
    const reply = await k.portal('POST', '/portal/api/topups', {
      cookie,
      csrf,
      headers: { origin: 'null', 'sec-fetch-site': 'same-origin' },
      idempotencyKey: 'k1',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
    })
    expect(reply.status).toBe(201)
  })

  it("does not accept one session's CSRF token for another session", async () => {
    const k = await portalKit()
    const a = await k.login(ANNA)
    const b = await k.login(BEN)
    const reply = await k.portal('POST', '/portal/api/topups', {
      cookie: a.cookie,
      csrf: b.csrf,
      idempotencyKey: 'k1',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
    })
    expect(reply.status).toBe(403)
  })
})

describe('portal and operator credentials stay apart', () => {
  it('refuses an operator bearer token on every portal route', async () => {
    const k = await portalKit()
    const auth = { authorization: `Bearer ${k.TEST_TOKEN}` }
    for (const [method, path] of [
      ['GET', '/portal/api/me'],
      ['GET', '/portal/api/topups'],
      ['GET', '/portal/api/invoices'],
      ['POST', '/portal/api/topups'],
      ['POST', '/portal/api/logout'],
    ] as const) {
      const reply = await k.portal(method, path, {
        headers: auth,
        idempotencyKey: 'k',
        body: method === 'POST' ? { topUpPlanId: k.topUpPlan.id, pay: 'balance' } : undefined,
      })
      expect(reply.status).toBe(401)
    }
  })

  it('refuses a portal session cookie on the operator API', async () => {
    const k = await portalKit()
    const { cookie, csrf } = await k.login(ANNA)
    for (const path of ['/api/v1/subscribers', `/api/v1/subscribers/${k.anna.id}`]) {
      const reply = await k.portal('GET', path, { cookie, csrf })
      expect(reply.status).toBe(401)
    }
  })
})
