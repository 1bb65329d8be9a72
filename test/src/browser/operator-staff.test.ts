/**
 * Staff accounts in a real browser against the real controller: an admin adds a support account
 * with the form; that person logs in, sees every page but no form that changes anything, is
 * refused a post they craft themselves, changes their own password, and finds their change in the
 * audit log. The staff, account and audit pages also pass axe.
 */
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { saveScreenshot } from '../support/screenshots.js'
import { operatorLogin, submitOperatorLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

describe.skipIf(skipBrowser)(browserTitle('staff accounts in a browser'), () => {
  const ui = uiSuite()
  const SUPPORT = { login: 'sam', name: 'Sam Support', password: 'sam-initial-password' }

  it('an admin adds a support account; it reads everything, changes nothing, and changes its own password', async () => {
    const { alice } = ui.stack.seed
    const admin = await ui.page({ bypassCSP: true })
    await operatorLogin(admin, '/staff')
    await admin.getByRole('heading', { level: 1, name: 'Staff' }).waitFor()
    const staffForm = admin.getByRole('form', { name: 'New staff account' })
    await staffForm.getByLabel('Login').fill(SUPPORT.login)
    await staffForm.getByLabel('Name').fill(SUPPORT.name)
    await staffForm.getByLabel('Role').selectOption('support')
    await staffForm.getByLabel('Initial password').fill(SUPPORT.password)
    await staffForm.getByRole('button', { name: 'Add account' }).click()
    await waitForText(admin.getByRole('status'), /sam can now log in as support/)
    await expectAccessible(admin, 'a staff account page')
    await admin.goto('/staff')
    await expectAccessible(admin, 'the staff page')
    await saveScreenshot(admin, 'operator-staff')

    const sam = await ui.page({ bypassCSP: true })
    await sam.goto(`/login?next=${encodeURIComponent(`/subscribers/${alice.id}`)}`)
    expect(await submitOperatorLogin(sam, SUPPORT.login, SUPPORT.password)).toBe(303)
    await sam.getByRole('heading', { level: 1, name: alice.name }).waitFor()
    await waitForText(sam.locator('.who'), 'sam (support)')
    expect(await sam.getByRole('form', { name: 'Manual top-up' }).count()).toBe(0)
    expect(await sam.getByRole('form', { name: 'Record a payment' }).count()).toBe(0)
    expect(await sam.getByRole('link', { name: 'Staff' }).count()).toBe(0)

    // A post the page does not offer, sent with the session's cookie and CSRF token: refused, nothing bought.
    const before = (await ui.stack.subscriber(alice.id)).usage.limitBytes
    const csrf = await sam.locator('input[name="_csrf"]').first().inputValue()
    const form = {
      _csrf: csrf,
      bytes: '5',
      bytesUnit: 'GB',
      price: '0',
      chargeTo: 'invoice',
      idempotencyKey: crypto.randomUUID(),
    }
    const answer = await sam.request.post(`/subscribers/${alice.id}/topups`, { form, maxRedirects: 0 })
    const status = answer.status()
    expect(status).toBe(403)
    expect(await answer.text()).toContain('has the support role')
    expect((await ui.stack.subscriber(alice.id)).usage.limitBytes).toBe(before)

    await sam.getByRole('link', { name: 'sam (support)' }).click()
    await sam.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
    await expectAccessible(sam, 'the account page')
    const change = sam.getByRole('form', { name: 'Change password' })
    await change.getByLabel('Current password').fill(SUPPORT.password)
    await change.getByLabel('New password', { exact: true }).fill('sam-second-password')
    await change.getByLabel('New password again').fill('sam-second-password')
    await change.getByRole('button', { name: 'Change password' }).click()
    await waitForText(sam.getByRole('status'), /Your password is changed/)

    await sam.getByRole('link', { name: 'Audit log' }).click()
    await sam.getByLabel('Who').fill('sam')
    await sam.getByRole('button', { name: 'Filter' }).click()
    await waitForText(sam.locator('#audit'), 'staff.password_change')
    await expectAccessible(sam, 'the audit log')
    await saveScreenshot(sam, 'operator-audit')
  })
})
