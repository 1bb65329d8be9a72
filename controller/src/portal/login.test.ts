import { describe, expect, it } from 'vitest'
import { SESSION_IDLE_MS, SESSION_MAX_MS } from '../auth/sessions.js'
import { ANNA, BEN, portalKit } from './portal-test-kit.js'

describe('portal login', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie on /portal and answers with a CSRF token', async () => {
    const k = await portalKit()
    const reply = await k.portal('POST', '/portal/api/login', { body: ANNA })
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({ csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    expect(reply.setCookie).toMatch(/^capd_portal=[A-Za-z0-9_-]{43};/)
    expect(reply.setCookie).toContain('HttpOnly')
    expect(reply.setCookie).toContain('SameSite=Lax')
    expect(reply.setCookie).toContain('Path=/portal')
    expect(reply.setCookie).not.toContain('Secure')
    expect(reply.headers.get('cache-control')).toBe('no-store')
    // Only the hash of the cookie value is stored.
    const value = reply.setCookie!.split(';')[0]!.split('=')[1]!
    expect(k.snapshot()).not.toContain(value)
  })

  it('marks the cookie Secure over https, directly or via X-Forwarded-Proto', async () => {
    const k = await portalKit()
    const direct = await k.portal('POST', '', { body: ANNA, url: 'https://isp.example/portal/api/login' })
    expect(direct.setCookie).toContain('Secure')
    const proxied = await k.portal('POST', '/portal/api/login', {
      body: ANNA,
      headers: { 'x-forwarded-proto': 'https' },
    })
    expect(proxied.setCookie).toContain('Secure')
  })

  it('answers a wrong password and an unknown login with the same 401', async () => {
    const k = await portalKit()
    const wrong = await k.portal('POST', '/portal/api/login', {
      body: { login: 'anna', password: 'nope-nope' },
    })
    const unknown = await k.portal('POST', '/portal/api/login', {
      body: { login: 'zed', password: 'nope-nope' },
    })
    // alice (seeded by the operator) has no password: she cannot log in either.
    const noPassword = await k.portal('POST', '/portal/api/login', {
      body: { login: 'alice', password: 'x' },
    })
    for (const reply of [wrong, unknown, noPassword]) {
      expect(reply.status).toBe(401)
      expect(reply.setCookie).toBeNull()
      expect(reply.body).toEqual(wrong.body)
    }
    expect(wrong.body.error.code).toBe('invalid_credentials')
  })

  it('accepts the login case-insensitively, as logins are', async () => {
    const k = await portalKit()
    const reply = await k.portal('POST', '/portal/api/login', { body: { ...ANNA, login: 'ANNA' } })
    expect(reply.status).toBe(200)
  })

  it('refuses a login from another site', async () => {
    const k = await portalKit()
    const reply = await k.portal('POST', '/portal/api/login', {
      body: ANNA,
      headers: { origin: 'https://evil.example' },
    })
    expect(reply.status).toBe(403)
    expect(reply.setCookie).toBeNull()
  })
})

describe('portal login throttling', () => {
  const wrong = { login: 'anna', password: 'wrong-password' }

  it('refuses one client with 429 and Retry-After after 5 failures on a login, even with the right password', async () => {
    const k = await portalKit()
    for (let i = 0; i < 5; i++) {
      expect(
        (await k.portal('POST', '/portal/api/login', { body: wrong, address: '192.0.2.1' })).status,
      ).toBe(401)
    }
    const refused = await k.portal('POST', '/portal/api/login', { body: ANNA, address: '192.0.2.1' })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('too_many_attempts')
    expect(refused.headers.get('retry-after')).toBe(String(15 * 60))
    expect(refused.setCookie).toBeNull()
    // Another customer is not affected, and neither is this customer from another address.
    expect((await k.portal('POST', '/portal/api/login', { body: BEN, address: '192.0.2.1' })).status).toBe(
      200,
    )
    expect((await k.portal('POST', '/portal/api/login', { body: ANNA, address: '192.0.2.99' })).status).toBe(
      200,
    )

    k.clock.advance(15 * 60_000)
    expect((await k.portal('POST', '/portal/api/login', { body: ANNA, address: '192.0.2.1' })).status).toBe(
      200,
    )
  }, 30_000)

  it('throttles a client address that guesses at many logins', async () => {
    const k = await portalKit()
    for (let i = 0; i < 20; i++) {
      const reply = await k.portal('POST', '/portal/api/login', {
        body: { login: `user${i}`, password: 'guess-guess' },
        address: '203.0.113.9',
      })
      expect(reply.status).toBe(401)
    }
    const refused = await k.portal('POST', '/portal/api/login', { body: BEN, address: '203.0.113.9' })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await k.portal('POST', '/portal/api/login', { body: BEN, address: '203.0.113.10' })).status).toBe(
      200,
    )
  }, 30_000)

  it('counts attempts that run at the same time', async () => {
    const k = await portalKit()
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        k.portal('POST', '/portal/api/login', { body: wrong, address: '192.0.2.1' }),
      ),
    )
    expect(replies.filter((r) => r.status === 401)).toHaveLength(5)
    expect(replies.filter((r) => r.status === 429)).toHaveLength(3)
  })
})

describe('portal sessions', () => {
  it('logout ends the session: the cookie no longer works', async () => {
    const k = await portalKit()
    const { cookie, csrf } = await k.login(ANNA)
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(200)
    const out = await k.portal('POST', '/portal/api/logout', { cookie, csrf })
    expect(out.status).toBe(204)
    expect(out.setCookie).toMatch(/^capd_portal=;.*Max-Age=0/)
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(401)
    expect((await k.portal('POST', '/portal/api/logout', { cookie, csrf })).status).toBe(401)
    const topUp = await k.portal('POST', '/portal/api/topups', {
      cookie,
      csrf,
      idempotencyKey: 'after-logout',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
    })
    expect(topUp.status).toBe(401)
  })

  it('logout needs the CSRF token', async () => {
    const k = await portalKit()
    const { cookie } = await k.login(ANNA)
    expect((await k.portal('POST', '/portal/api/logout', { cookie })).status).toBe(403)
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(200)
  })

  it('ends a session left idle for 12 hours', async () => {
    const k = await portalKit()
    const { cookie } = await k.login(ANNA)
    k.clock.advance(SESSION_IDLE_MS - 60_000)
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(200)
    // That use renewed it: another almost-12 hours are fine.
    k.clock.advance(SESSION_IDLE_MS - 60_000)
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(200)
    k.clock.advance(SESSION_IDLE_MS)
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(401)
  })

  it('ends even a busy session 7 days after login', async () => {
    const k = await portalKit()
    const { cookie } = await k.login(ANNA)
    const step = 6 * 3_600_000
    let elapsed = 0
    for (; elapsed + step < SESSION_MAX_MS; elapsed += step) {
      expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(200)
      k.clock.advance(step)
    }
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(200)
    k.clock.advance(SESSION_MAX_MS - elapsed)
    expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(401)
  })

  it('refuses a made-up or malformed cookie', async () => {
    const k = await portalKit()
    for (const cookie of [`capd_portal=${'A'.repeat(43)}`, 'capd_portal=short', 'capd_portal=']) {
      expect((await k.portal('GET', '/portal/api/me', { cookie })).status).toBe(401)
    }
  })
})
