import { describe, expect, it } from 'vitest'
import { BrowserCaller, csrfFrom } from '../testing/browser-caller.js'
import { bannerIn, fieldMarksIn } from '../testing/field-marks.js'
import { TEST_ADMIN_PASSWORD } from '../testing/test-app.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

describe('portal login page', () => {
  it('shows the login form to a visitor, under the strict page headers', async () => {
    const k = await pagesKit()
    const page = await new BrowserCaller(k.app).get('/portal')
    expect(page.status).toBe(200)
    expect(page.html).toContain('<h1>Log in</h1>')
    expect(page.html).toContain('<label for="login">Login</label>')
    expect(page.html).toContain('<label for="password">Password</label>')
    expect(page.html).toContain('<body class="portal"')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.headers.get('cache-control')).toBe('no-store')
  })

  it('logs in with a portal session cookie and shows the home page', async () => {
    const k = await pagesKit()
    const browser = new BrowserCaller(k.app)
    const login = await browser.post('/portal/login', ANNA)
    expect(login.status).toBe(303)
    expect(login.location).toBe('/portal')
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('capd_portal='))!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Path=\/portal/)
    expect(cookie).not.toMatch(/Secure/)
    const home = await browser.get('/portal')
    expect(home.html).toContain('<h1>Your data</h1>')
    expect(home.html).toContain('100 GB left')
    expect(home.html).toContain('Balance: $20.00')
    expect(home.html).toContain('10 GB — $5.00')
    expect(home.html).toContain('Buy with balance')
    expect(home.html).toContain('Log out')
    expect(home.html).toContain('data-live-source="/portal/events"')
    expect(home.html).toMatch(/<div id="usage" data-live="?[^>]*>/)
  })

  it('marks the cookie Secure behind TLS', async () => {
    const k = await pagesKit()
    const login = await new BrowserCaller(k.app).post('/portal/login', ANNA, {
      headers: { 'x-forwarded-proto': 'https' },
    })
    expect(login.headers.getSetCookie().find((c) => c.startsWith('capd_portal='))).toMatch(/Secure/)
  })

  it('answers a wrong password as an unknown login, then throttles both doors for 15 min', async () => {
    const k = await pagesKit()
    const browser = new BrowserCaller(k.app)
    const wrong = await browser.post('/portal/login', { login: 'anna', password: 'nope' })
    const unknown = await browser.post('/portal/login', { login: 'mallory', password: 'nope' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.html).toContain('The login or the password is wrong.')
    expect(unknown.html).toContain('The login or the password is wrong.')
    // From this client: the count of its failures on this login runs out (others are only slowed).
    for (let i = 0; i < 4; i++) await browser.post('/portal/login', { login: 'anna', password: 'nope' })
    const throttled = await browser.post('/portal/login', ANNA)
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(throttled.html).toContain('Too many failed logins. Try again in 15 min.')
    expect(browser.cookies.has('capd_portal')).toBe(false)
    // The JSON login shares the throttle: switching doors does not reset the count.
    const json = await k.portal('POST', '/portal/api/login', { body: ANNA, address: '198.51.100.9' })
    expect(json.status).toBe(429)
    k.clock.advance(15 * 60_000 + 1000)
    expect((await browser.post('/portal/login', ANNA)).status).toBe(303)
  })

  it('refuses a cross-site login post and an empty form', async () => {
    const k = await pagesKit()
    const browser = new BrowserCaller(k.app)
    const cross = await browser.post('/portal/login', ANNA, { headers: { 'sec-fetch-site': 'cross-site' } })
    expect(cross.status).toBe(403)
    const empty = await browser.post('/portal/login', { login: '', password: '' })
    expect(empty.status).toBe(400)
    expect(bannerIn(empty.html)).toBe('Check the 2 fields marked below.')
    expect(fieldMarksIn(empty.html)).toEqual([
      { name: 'login', label: 'Login', message: 'Enter your login.' },
      { name: 'password', label: 'Password', message: 'Enter your password.' },
    ])
    expect(browser.cookies.has('capd_portal')).toBe(false)
  })

  it('logout needs the CSRF field, ends the session and forgets the cookie', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const kept = browser.cookies.get('capd_portal')!
    const before = k.snapshot()
    expect((await browser.post('/portal/logout', {})).status).toBe(403)
    expect(k.snapshot()).toBe(before)
    const out = await browser.submit('/portal', '/portal/logout', {})
    expect(out.status).toBe(303)
    expect(out.location).toBe('/portal')
    expect(browser.cookies.has('capd_portal')).toBe(false)
    expect((await browser.get('/portal')).html).toContain('You are logged out.')
    expect(Object.values(k.data.portalSessions)[0]!.endedAtMs).toBeDefined()
    browser.cookies.set('capd_portal', kept)
    const again = await browser.get('/portal')
    expect(again.html).toContain('<h1>Log in</h1>')
    expect((await browser.get('/portal/history')).location).toBe('/portal')
  })

  it('an operator session is no portal login, whichever cookie carries it', async () => {
    const k = await pagesKit()
    const browser = new BrowserCaller(k.app)
    const operator = await browser.post('/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })
    expect(operator.status).toBe(303)
    expect((await browser.get('/portal')).html).toContain('<h1>Log in</h1>')
    browser.cookies.set('capd_portal', browser.cookies.get('capd_session')!)
    expect((await browser.get('/portal')).html).toContain('<h1>Log in</h1>')
    const events = await browser.get('/portal/events', { headers: { accept: 'text/event-stream' } })
    expect(events.status).toBe(401)
  })

  it('a session from the JSON login works on the pages too (one table, one cookie)', async () => {
    const k = await pagesKit()
    const { cookie } = await k.login(ANNA)
    const browser = new BrowserCaller(k.app)
    browser.cookies.set('capd_portal', cookie.slice('capd_portal='.length))
    const home = await browser.get('/portal')
    expect(home.html).toContain('<h1>Your data</h1>')
    expect(csrfFrom(home.html)).toBe(Object.values(k.data.portalSessions)[0]!.csrfToken)
  })
})
