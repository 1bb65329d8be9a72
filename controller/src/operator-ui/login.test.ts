import { describe, expect, it } from 'vitest'
import { BrowserCaller } from '../testing/browser-caller.js'
import { bannerIn, fieldMarksIn } from '../testing/field-marks.js'
import { TEST_ADMIN_PASSWORD, TEST_TOKEN, testApp } from '../testing/test-app.js'
import { safeNext } from './login-routes.js'

const ADMIN = { username: 'admin', password: TEST_ADMIN_PASSWORD }

async function setup() {
  const t = await testApp()
  const browser = new BrowserCaller(t.app)
  return { ...t, browser }
}

describe('operator UI login', () => {
  it('sends a visitor to the login page and back to where they were going', async () => {
    const { browser } = await setup()
    const page = await browser.get('/events?q=al')
    expect(page.status).toBe(303)
    expect(page.location).toBe('/login?next=%2Fevents%3Fq%3Dal')
    const login = await browser.post(`/login?next=${encodeURIComponent('/events?q=al')}`, ADMIN)
    expect(login.status).toBe(303)
    expect(login.location).toBe('/events?q=al')
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('capd_session='))!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Path=\//)
    expect(cookie).not.toMatch(/Secure/)
  })

  it('marks the cookie Secure behind TLS', async () => {
    const { browser } = await setup()
    const login = await browser.post('/login', ADMIN, { headers: { 'x-forwarded-proto': 'https' } })
    expect(login.headers.getSetCookie().find((c) => c.startsWith('capd_session='))).toMatch(/Secure/)
  })

  it('refuses a wrong password with the same answer as an unknown user, then throttles', async () => {
    const { browser } = await setup()
    const wrong = await browser.post('/login', { username: 'admin', password: 'nope' })
    const unknown = await browser.post('/login', { username: 'mallory', password: 'nope' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.html).toContain('The username or the password is wrong.')
    expect(browser.cookies.has('capd_session')).toBe(false)
    for (let i = 0; i < 4; i++) await browser.post('/login', { username: 'admin', password: 'nope' })
    const throttled = await browser.post('/login', ADMIN)
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(throttled.html).toContain('Too many failed logins')
    expect(browser.cookies.has('capd_session')).toBe(false)
  })

  it('refuses a cross-site login post', async () => {
    const { browser } = await setup()
    const reply = await browser.post('/login', ADMIN, { headers: { 'sec-fetch-site': 'cross-site' } })
    expect(reply.status).toBe(403)
    expect(browser.cookies.has('capd_session')).toBe(false)
  })

  it('logout ends the session for good', async () => {
    const { browser, data } = await setup()
    await browser.post('/login', ADMIN)
    const kept = browser.cookies.get('capd_session')!
    const [session] = Object.values(data.operatorSessions)
    expect((await browser.post('/logout', {})).status).toBe(403)
    const out = await browser.post('/logout', { _csrf: session!.csrfToken })
    expect(out.status).toBe(303)
    expect(browser.cookies.has('capd_session')).toBe(false)
    browser.cookies.set('capd_session', kept)
    expect((await browser.get('/events', { headers: { accept: 'text/event-stream' } })).status).toBe(401)
  })

  it('an API token, a portal cookie or another cookie name is no operator session', async () => {
    const { browser, app } = await setup()
    const bearer = await app.request('/events', { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    expect(bearer.status).toBe(401)
    await browser.post('/login', ADMIN)
    const value = browser.cookies.get('capd_session')!
    const asPortal = await app.request('/portal/api/me', { headers: { cookie: `capd_portal=${value}` } })
    expect(asPortal.status).toBe(401)
  })

  it('a customer’s portal session is no operator session', async () => {
    const { browser, app, seed, call } = await setup()
    const { plan, agent } = await seed()
    await call('POST', '/subscribers', {
      name: 'Carla',
      login: 'carla',
      password: 'carla-secret-1',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.77',
    })
    const login = await app.request('/portal/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'carla', password: 'carla-secret-1' }),
    })
    expect(login.status).toBe(200)
    const value = /capd_portal=([^;]+)/.exec(login.headers.get('set-cookie')!)![1]!
    browser.cookies.set('capd_session', value)
    const page = await browser.get('/events')
    expect(page.status).toBe(303)
    expect(page.location).toMatch(/^\/login/)
  })

  it('only follows a next that stays on this site', () => {
    expect(safeNext('/agents')).toBe('/agents')
    expect(safeNext('//evil.example/x')).toBe('/')
    expect(safeNext('/\\evil.example')).toBe('/')
    expect(safeNext('https://evil.example')).toBe('/')
    expect(safeNext(undefined)).toBe('/')
  })
})

describe('the login form, refused', () => {
  it('marks each empty box beside it, and keeps the username typed', async () => {
    const { app } = await testApp()
    const browser = new BrowserCaller(app)
    const both = await browser.post('/login', { username: '', password: '' })
    expect(both.status).toBe(400)
    expect(bannerIn(both.html)).toBe('Check the 2 fields marked below.')
    expect(fieldMarksIn(both.html)).toEqual([
      { name: 'username', label: 'Username', message: 'Enter your username.' },
      { name: 'password', label: 'Password', message: 'Enter your password.' },
    ])
    const one = await browser.post('/login', { username: 'admin', password: '' })
    expect(fieldMarksIn(one.html).map((m) => m.name)).toEqual(['password'])
    expect(one.html).toMatch(/name="username"[^>]*value="admin"/)
  })
})
