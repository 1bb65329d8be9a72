/**
 * The portal's usage banner and the customer's alert choices, in a real browser against the real
 * controller and an agent on a simulated router: a customer past 80% of their data sees the
 * banner, then turns e-mail alerts off on the Alerts page and is told what that means.
 */
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { saveScreenshot } from '../support/screenshots.js'
import { portalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'
import { waitFor } from '../support/wait-for.js'

const MB = 1_000_000
/** At the simulated 8 MB/s, 80% is reached in ~20 s and the cap ~5 s later: time to hold the agent still. */
const CAP_BYTES = 200 * MB

describe.skipIf(skipBrowser)(browserTitle('the portal’s usage banner and alert choices in a browser'), () => {
  const ui = uiSuite()

  it('shows the 80% banner, and the Alerts form saves the customer’s choices', async () => {
    const { simulatedAgentId } = ui.stack.seed
    const plan = await ui.stack.call('POST', '/plans', {
      name: 'Trial 200 MB',
      capBytes: CAP_BYTES,
      onCap: 'block',
    })
    expect(plan.status).toBe(201)
    const esi = await ui.stack.addCustomer({
      name: 'Esi Mensah',
      login: 'esi',
      planId: plan.body.id,
      agentId: simulatedAgentId,
      address: '10.20.0.31',
      balanceCents: 1000,
    })
    await waitFor(
      'Esi has used 80% of her data',
      async () => (await ui.stack.subscriber(esi.id)).usage.usedBytes >= 0.8 * CAP_BYTES,
      { timeoutMs: 90_000, intervalMs: 100 },
    )
    // Held still, the agent reports nothing more: the figures stay between 80% and the cap.
    ui.stack.pauseAgent()
    try {
      const { usage } = await ui.stack.subscriber(esi.id)
      expect(usage.usedBytes).toBeLessThan(usage.limitBytes)

      // axe is injected as a script: the page's CSP is bypassed (portal.test.ts checks the CSP itself).
      const page = await ui.page({ device: 'phone', bypassCSP: true })
      await portalLogin(page, esi)
      const banner = page.locator('#usage-alert')
      expect(await banner.getAttribute('role')).toBe('status')
      await waitForText(banner, 'You have used 80% of your data')
      await waitForText(banner, /This period ends on \d+ \w+ \d{4}\./)
      await expect(banner.getByRole('link', { name: 'Buy a top-up' }).isVisible()).resolves.toBe(true)
      await expectAccessible(page, 'the portal home with the usage banner')
      await saveScreenshot(page, 'portal-usage-banner-phone')

      await page.getByRole('link', { name: 'Alerts' }).click()
      await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor()
      const form = page.getByRole('form', { name: 'Alerts' })
      const email = form.getByRole('checkbox', { name: 'Usage alerts by e-mail' })
      const sms = form.getByRole('checkbox', { name: 'Usage alerts by SMS' })
      expect(await email.isChecked()).toBe(true)
      // No phone on file: shown, not changeable, and the page says why.
      expect(await sms.isDisabled()).toBe(true)
      await waitForText(form, 'No phone number is on file')
      await waitForText(form, 'To esi@example.net.')
      await expectAccessible(page, 'the portal Alerts page')

      await email.uncheck()
      await form.getByRole('button', { name: 'Save alerts' }).click()
      await waitForText(
        page.locator('main'),
        'Alerts saved. Usage alerts are off: you will not be told before your data runs out.',
      )
      expect(await form.getByRole('checkbox', { name: 'Usage alerts by e-mail' }).isChecked()).toBe(false)
      expect((await ui.stack.subscriber(esi.id)).alerts).toEqual({ email: false, sms: true, receipts: true })
      await expectAccessible(page, 'the portal Alerts page after saving')
      await saveScreenshot(page, 'portal-alerts-phone')
    } finally {
      ui.stack.resumeAgent()
    }
  })
})
