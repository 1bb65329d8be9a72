/**
 * Auto top-up paused, as a customer sees it in a real browser against the real controller and a
 * real agent on a simulated router: her data runs out, auto top-up cannot pay for the next pack,
 * and the portal says why and what she can do (the notice is a live region: it comes up whether
 * the page was open before or after).
 */
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { portalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

describe.skipIf(skipBrowser)(browserTitle('auto top-up in the portal, in a browser'), () => {
  const ui = uiSuite()

  it('a customer whose auto top-up cannot be paid sees why, with the ways out', async () => {
    const { seed, call } = ui.stack
    const erin = await ui.stack.addCustomer({
      name: 'Erin Quist',
      login: 'erin',
      planId: seed.smallPlanId,
      agentId: seed.simulatedAgentId,
      address: '10.20.0.31',
      balanceCents: 100,
    })
    const put = await call('PUT', `/subscribers/${erin.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: seed.topUpPlans.small.id,
      maxPerPeriod: 2,
      customerMayChange: true,
    })
    expect(put.status).toBe(200)
    const page = await ui.page({ device: 'phone', bypassCSP: true })
    await portalLogin(page, erin)
    // The simulated router uses her 20 MB up in seconds; the $3.00 pack cannot be paid from $1.00.
    const notice = page.locator('#auto-topup-paused')
    await waitForText(
      notice,
      'Auto top-up paused: not enough balance ($1.00 of $3.00) — add money or buy one now.',
      45_000,
    )
    expect((await ui.stack.subscriber(erin.id)).autoTopUpDeclined).toMatchObject({
      reason: 'insufficient_balance',
    })
    await notice.getByRole('link', { name: 'add money' }).click()
    expect(new URL(page.url()).hash).toBe('#balance-title')
    await expectAccessible(page, 'the portal with auto top-up paused')
  })
})
