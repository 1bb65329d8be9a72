/**
 * The customer portal on a phone, in a real browser against the real controller and a real agent on
 * a simulated router: a customer whose data ran out buys a top-up and watches access come back
 * without reloading; sessions do not cross between operator and customer; logout sticks; wrong
 * passwords are refused and then throttled (last: it uses up this controller's allowance for
 * 127.0.0.1).
 */
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { watchPage } from '../support/csp-watch.js'
import { markDocument, sameDocument } from '../support/in-page.js'
import { saveScreenshot } from '../support/screenshots.js'
import { operatorLogin, portalLogin, submitPortalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

const phone = { device: 'phone' } as const

describe.skipIf(skipBrowser)(browserTitle('the customer portal in a browser'), () => {
  const ui = uiSuite()

  it('the login page on a phone passes the accessibility checks', async () => {
    const page = await ui.page({ ...phone, bypassCSP: true })
    await page.goto('/portal')
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    await expectAccessible(page, 'the portal login page')
    await saveScreenshot(page, 'portal-login-phone')
  })

  it('a blocked customer buys a top-up and sees access restored without reloading', async () => {
    const { alice, bongani, topUpPlans } = ui.stack.seed
    await ui.stack.waitForState(alice.id, 'blocked')
    // The real CSP stays on: the live update has to work under it.
    const page = await ui.page(phone)
    const problems = watchPage(page)
    await portalLogin(page, alice)
    const usage = page.locator('#usage')
    await waitForText(
      page.locator('#usage-alert'),
      'You have used all your data — access is paused until you top up',
    )
    await waitForText(usage, 'Balance: $20.00')
    await waitForText(usage, '0 B left')
    // Only her own account: nothing of another customer's.
    expect(await page.content()).not.toContain(bongani.name)
    await saveScreenshot(page, 'portal-home-phone')

    const buy = page.getByRole('form', { name: 'Buy a top-up' })
    await buy.getByRole('radio', { name: topUpPlans.small.label }).check()
    // The agent usually applies a new limit within milliseconds; held still, it lets the test see
    // the confirmation come up pending, so only the live update can turn it into "Access restored".
    ui.stack.pauseAgent()
    let url: string
    try {
      await buy.getByRole('button', { name: 'Buy with balance' }).click()
      await page.waitForURL((u) => u.searchParams.has('topup'))
      url = page.url()
      await waitForText(page.locator('#topup-status'), 'Applying your top-up…')
      await page.waitForSelector('body[data-live="connected"]')
      await markDocument(page)
    } finally {
      ui.stack.resumeAgent()
    }

    const status = page.locator('#topup-status')
    expect(await status.getAttribute('role')).toBe('status')
    await waitForText(status, 'Access restored', 20_000)
    expect(page.url()).toBe(url)
    expect(await sameDocument(page)).toBe(true)
    await waitForText(usage, 'Balance: $17.00')
    await waitForText(usage, /\d+(\.\d+)? MB left/)
    expect(await page.locator('#usage-alert').textContent()).not.toContain('You have used all your data')
    const after = await ui.stack.subscriber(alice.id)
    expect(after.state).toBe('open')
    expect(after.balance).toEqual({ amount: 1700, currency: 'USD' })
    expect(problems.describe()).toBe('')
    await saveScreenshot(page, 'portal-topup-restored-phone')

    await page.getByRole('link', { name: 'History', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'History', exact: true }).waitFor()
    await waitForText(page.getByRole('row'), '500 MB')
  })

  it('the home page on a phone passes the accessibility checks and shows only the own account', async () => {
    const { alice, bongani } = ui.stack.seed
    const page = await ui.page({ ...phone, bypassCSP: true })
    await portalLogin(page, bongani)
    await waitForText(page.locator('#usage'), 'Balance: $5.00')
    await expectAccessible(page, 'the portal home page')
    expect(await page.content()).not.toContain(alice.name)
    await page.goto('/portal/history')
    await page.getByRole('heading', { level: 1, name: 'History', exact: true }).waitFor()
    await expectAccessible(page, 'the portal history page')
    // Alice's purchase is hers alone.
    expect(await page.getByRole('row').filter({ hasText: '500 MB' }).count()).toBe(0)
  })

  it("keeps the operator's and the customer's sessions apart", async () => {
    const { bongani } = ui.stack.seed
    const operator = await ui.page()
    await operatorLogin(operator)
    await operator.goto('/portal')
    await operator.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    expect(await operator.getByLabel('Login', { exact: true }).isVisible()).toBe(true)

    const customer = await ui.page(phone)
    await portalLogin(customer, bongani)
    await customer.goto('/subscribers')
    expect(new URL(customer.url()).pathname).toBe('/login')
  })

  it('after logging out, going back shows the login page, not the account', async () => {
    const { bongani } = ui.stack.seed
    const page = await ui.page(phone)
    await portalLogin(page, bongani)
    await page.getByRole('button', { name: 'Log out' }).click()
    await waitForText(page.getByRole('status'), 'You are logged out.')
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()

    await page.goBack()
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    expect(await page.getByRole('heading', { name: 'Your data' }).count()).toBe(0)
    expect(await page.content()).not.toContain('Balance:')
    await page.goto('/portal/history')
    expect(await page.getByRole('heading', { level: 1, name: 'History', exact: true }).count()).toBe(0)
  })

  // Last: it uses up this controller's failed-login allowance for 127.0.0.1.
  it('refuses a wrong password, then throttles further attempts, even with the right password', async () => {
    const { bongani } = ui.stack.seed
    const page = await ui.page(phone)
    await page.goto('/portal')
    expect(await submitPortalLogin(page, bongani.login, 'not-the-password')).toBe(401)
    await waitForText(page.getByRole('alert'), 'The login or the password is wrong.')
    expect(await page.getByLabel('Login', { exact: true }).inputValue()).toBe(bongani.login)
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('')

    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push(await submitPortalLogin(page, bongani.login, `wrong-${i}`))
    expect(statuses).toEqual([401, 401, 401, 401])
    expect(await submitPortalLogin(page, bongani.login, 'wrong-again')).toBe(429)
    await waitForText(page.getByRole('alert'), /^Too many failed logins\. Try again in \d+ min\.$/)
    expect(await submitPortalLogin(page, bongani.login, bongani.password)).toBe(429)
    expect(await page.getByRole('heading', { name: 'Your data' }).count()).toBe(0)
  })
})
