/**
 * Paying by card in a real browser, against the real controller and a real agent on a simulated
 * router, with the Stripe-shaped test server in Stripe's place: a customer with nothing on the
 * balance, cut off, buys a top-up by card, pays on the hosted page, comes back to the order and
 * sees access restored. Nothing is applied before the payment, and only once after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { startStripeServer } from '../support/stripe-server.js'
import { portalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

const stripe = await startStripeServer()

describe.skipIf(skipBrowser)(browserTitle('paying for a top-up by card'), () => {
  const ui = uiSuite({ controllerEnv: () => stripe.controllerEnv })
  // After the suite's own beforeAll: the controller's address is known once it listens.
  beforeAll(() => {
    stripe.webhookUrl = `${ui.stack.baseUrl}/webhooks/stripe`
  })
  afterAll(() => stripe.close())

  it('a customer with no balance pays by card on the provider page and sees access restored', async () => {
    const { smallPlanId, simulatedAgentId, topUpPlans } = ui.stack.seed
    const erin = await ui.stack.addCustomer({
      name: 'Erin Kamau',
      login: 'erin',
      planId: smallPlanId,
      agentId: simulatedAgentId,
      address: '10.20.0.21',
    })
    await ui.stack.waitForState(erin.id, 'blocked')
    const page = await ui.page({ device: 'phone' })
    await portalLogin(page, erin)
    await waitForText(
      page.locator('#usage-alert'),
      'You have used all your data — access is paused until you top up',
    )

    const buy = page.getByRole('form', { name: 'Buy a top-up' })
    await buy.getByRole('radio', { name: topUpPlans.small.label }).check()
    await buy.getByRole('radio', { name: 'Card' }).check()
    await buy.getByRole('button', { name: 'Buy', exact: true }).click()

    // The order, placed and waiting; then the provider's page: one session, for the top-up's
    // price, and nothing applied yet.
    await page.getByRole('heading', { level: 1, name: 'Your order' }).waitFor()
    await page.getByRole('link', { name: 'Continue to payment' }).click()
    await page.waitForURL((u) => u.origin === stripe.url)
    await page.getByText('3.00 USD').waitFor()
    expect(stripe.sessions()).toEqual([
      expect.objectContaining({
        amount_total: 300,
        currency: 'usd',
        status: 'open',
        customer_email: 'erin@example.net',
      }),
    ])
    const before = await ui.stack.subscriber(erin.id)
    expect(before.state).toBe('blocked')

    await page.getByRole('button', { name: 'Pay' }).click()
    await page.waitForURL((u) => u.origin === ui.stack.baseUrl)
    await waitForText(page.locator('#topup-status'), 'Access restored', 30_000)
    expect(stripe.deliveries()).toEqual([{ type: 'checkout.session.completed', status: 200 }])
    const after = await ui.stack.subscriber(erin.id)
    expect(after.state).toBe('open')
    expect(after.balance).toEqual({ amount: 0, currency: 'USD' })

    // Stripe delivering the same news again changes nothing.
    expect(await stripe.deliver('checkout.session.completed', stripe.sessions()[0]!)).toBe(200)
    const history = await ui.stack.call('GET', `/subscribers/${erin.id}/topups`)
    expect(history.status).toBe(200)
    expect((history.body as { items: unknown[] }).items).toHaveLength(1)
  })
})
