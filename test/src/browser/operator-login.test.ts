/**
 * The operator's way in, in a real browser against the real controller: the login page under its
 * own CSP, by keyboard alone, a refused password, and throttling. The throttle counts failures per
 * login name and per client address (all of this file's browsers are 127.0.0.1), so the test that
 * exhausts it runs last.
 */
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { watchPage } from '../support/csp-watch.js'
import { focused, type InPageGlobals } from '../support/in-page.js'
import { operatorLogin, submitOperatorLogin } from '../support/ui-login.js'
import { ADMIN } from '../support/ui-stack.js'
import { uiSuite } from '../support/ui-suite.js'

describe.skipIf(skipBrowser)(browserTitle('operator login in a browser'), () => {
  const ui = uiSuite()

  it('sends a visitor to the login page and, once logged in, on to the page asked for', async () => {
    const page = await ui.page()
    await page.goto('/subscribers')
    expect(new URL(page.url()).pathname).toBe('/login')
    await page.getByRole('heading', { level: 1 }).waitFor()
    await submitOperatorLogin(page, ADMIN.username, ADMIN.password)
    await page.waitForURL((url) => url.pathname === '/subscribers')
    await page.getByRole('heading', { level: 1, name: 'Subscribers' }).waitFor()
  })

  it('lands on the Dashboard after a correct login', async () => {
    const page = await ui.page()
    await operatorLogin(page)
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor()
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true)
  })

  it('can be used with the keyboard alone, and the skip link comes first', async () => {
    const page = await ui.page()
    await page.goto('/login')
    // The username field takes focus on load; the only thing before it is the skip link.
    expect(await focused(page)).toBe('input#username')
    await page.keyboard.press('Shift+Tab')
    expect(await focused(page)).toBe('a Skip to content')
    await page.keyboard.press('Shift+Tab')
    expect(await focused(page)).toBe('body')

    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('a Skip to content')
    await page.keyboard.press('Tab')
    await page.keyboard.type(ADMIN.username)
    await page.keyboard.press('Tab')
    await page.keyboard.type(ADMIN.password)
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.pathname === '/')
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor()

    // On a page with the section menu, the skip link jumps past it to the content.
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('a Skip to content')
    await page.keyboard.press('Enter')
    expect(await focused(page)).toMatch(/^main#main/)
  })

  it('works under its Content-Security-Policy: nothing refused, no script errors, live updates connect', async () => {
    const page = await ui.page()
    const problems = watchPage(page)
    await page.goto('/login')
    await operatorLogin(page)
    // The dashboard is a live page: live.js must load and open its event stream despite the CSP.
    await page.waitForSelector('body[data-live="connected"]', { timeout: 10_000 })
    await page.goto('/subscribers')
    await page.waitForSelector('body[data-live="connected"]', { timeout: 10_000 })
    expect(problems.describe()).toBe('')

    // The watcher itself sees a refusal: an inline script is what the CSP forbids.
    await page.evaluate(() => {
      const { document } = globalThis as unknown as InPageGlobals
      const script = document.createElement('script')
      script.textContent = 'globalThis.inlineRan = true'
      document.body.append(script)
    })
    await expect.poll(() => problems.csp.length).toBeGreaterThan(0)
    expect(await page.evaluate(() => 'inlineRan' in globalThis)).toBe(false)
  })

  it('passes the accessibility checks (WCAG 2.1 A and AA)', async () => {
    const page = await ui.page({ bypassCSP: true })
    await page.goto('/login')
    await expectAccessible(page, 'the operator login page')
  })

  // Last: it uses up this controller's failed-login allowance for 127.0.0.1.
  it('refuses a wrong password, then throttles further attempts, even with the right password', async () => {
    const page = await ui.page()
    await page.goto('/login')
    expect(await submitOperatorLogin(page, ADMIN.username, 'not-the-password')).toBe(401)
    await waitForText(page.getByRole('alert'), 'The username or the password is wrong.')
    expect(new URL(page.url()).pathname).toBe('/login')
    // The name the operator typed is kept; the password never is.
    expect(await page.getByLabel('Username', { exact: true }).inputValue()).toBe(ADMIN.username)
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('')

    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push(await submitOperatorLogin(page, ADMIN.username, `wrong-${i}`))
    expect(statuses).toEqual([401, 401, 401, 401])
    expect(await submitOperatorLogin(page, ADMIN.username, 'wrong-again')).toBe(429)
    await waitForText(page.getByRole('alert'), /^Too many failed logins\. Try again in \d+ min\.$/)
    // While throttled the right password does not help either: that is what stops guessing.
    expect(await submitOperatorLogin(page, ADMIN.username, ADMIN.password)).toBe(429)
    expect(new URL(page.url()).pathname).toBe('/login')
    await waitForText(page.getByRole('alert'), /Too many failed logins/)
  })
})
