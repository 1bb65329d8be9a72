/**
 * Paying at the office, in a real browser against the real controller and agent: the operator
 * sets the payment instructions, a customer orders a top-up and sees them with the pro-forma
 * number, and the order page says access is restored by itself once staff record the payment.
 */
import { describe, expect, it } from 'vitest'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { watchPage } from '../support/csp-watch.js'
import { markDocument, sameDocument } from '../support/in-page.js'
import { operatorLogin, portalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

const INSTRUCTIONS = 'Pay at 12 Harbour Road (9–17), or transfer to First Bank, account 0042-7781.'

describe.skipIf(skipBrowser)(browserTitle('paying for a top-up at the office'), () => {
  const ui = uiSuite()

  it('waits for payment with the instructions, then applies the top-up live once staff record it', async () => {
    const { smallPlanId, simulatedAgentId, topUpPlans } = ui.stack.seed
    const staff = await ui.page({ bypassCSP: true })
    await operatorLogin(staff, '/orders')
    await staff.getByLabel('Instructions').fill(INSTRUCTIONS)
    await staff.getByRole('button', { name: 'Save instructions' }).click()
    await waitForText(staff.locator('body'), 'Payment instructions saved')

    const erin = await ui.stack.addCustomer({
      name: 'Erin Mwangi',
      login: 'erin',
      planId: smallPlanId,
      agentId: simulatedAgentId,
      address: '10.20.0.31',
    })
    // Her small plan runs out in seconds: she orders while cut off, so the agent reports the change.
    await ui.stack.waitForState(erin.id, 'blocked')
    // The real CSP stays on: the live update has to work under it.
    const page = await ui.page({ device: 'phone' })
    const problems = watchPage(page)
    await portalLogin(page, erin)
    const buy = page.getByRole('form', { name: 'Buy a top-up' })
    await buy.getByRole('radio', { name: topUpPlans.small.label }).check()
    await buy.getByRole('radio', { name: 'At the office or by bank transfer' }).check()
    await buy.getByRole('button', { name: 'Buy', exact: true }).click()
    await page.waitForURL((u) => u.pathname.startsWith('/portal/orders/'))
    const orderId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!)
    const status = page.locator('#topup-status')
    await waitForText(status, 'Waiting for payment')
    await waitForText(status, INSTRUCTIONS)
    await waitForText(status, /pro-forma PRO-\d{4}-\d{6}/)
    await page.waitForSelector('body[data-live="connected"]')
    await markDocument(page)

    const recorded = await ui.stack.call(
      'POST',
      `/orders/${orderId}/payments`,
      { method: 'bank_transfer', reference: 'FB-991', amount: { amount: 300, currency: 'USD' } },
      { 'Idempotency-Key': `erin-${orderId}` },
    )
    expect(recorded.status).toBe(201)
    await waitForText(status, 'Access restored', 20_000)
    expect(await sameDocument(page)).toBe(true)
    expect(problems.describe()).toBe('')
  })
})
