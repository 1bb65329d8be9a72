/**
 * An operator on one subscriber's page, in a real browser against the real controller and a real
 * agent: manual and plan top-ups raise the limit the page shows, auto top-up settings stick, a
 * refused sale changes nothing, and usage the agent reports appears without a reload.
 */
import { formatBytes } from '@capd/protocol'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { markDocument, sameDocument } from '../support/in-page.js'
import { saveScreenshot } from '../support/screenshots.js'
import { operatorLogin } from '../support/ui-login.js'
import { GB, MB } from '../support/ui-stack.js'
import { uiSuite } from '../support/ui-suite.js'

describe.skipIf(skipBrowser)(browserTitle('a subscriber page in a browser'), () => {
  const ui = uiSuite()

  /** Logged in, on the subscriber's page. */
  async function subscriberPage(id: string, options: { bypassCSP?: boolean } = {}): Promise<Page> {
    const page = await ui.page(options)
    await operatorLogin(page, `/subscribers/${id}`)
    return page
  }

  /** "10.5 GB left", as the page writes what the API says is left. */
  const leftText = async (id: string) =>
    `${formatBytes((await ui.stack.subscriber(id)).usage.remainingBytes)} left`

  it('adds a manual top-up: the flash, the history row and the higher limit appear', async () => {
    const { chen } = ui.stack.seed
    const before = (await ui.stack.subscriber(chen.id)).usage
    const page = await subscriberPage(chen.id)
    await page.getByRole('heading', { level: 1, name: chen.name }).waitFor()
    await waitForText(page.locator('#usage'), await leftText(chen.id))

    const form = page.getByRole('form', { name: 'Manual top-up' })
    await form.getByLabel('Data amount', { exact: true }).fill('5')
    await form.getByLabel('Data amount (unit)').selectOption('GB')
    await form.getByLabel('Price').fill('5.00')
    await form.getByLabel('Charge to').selectOption({ label: 'Invoice' })
    await form.getByRole('button', { name: 'Add top-up' }).click()

    await waitForText(page.getByRole('status'), 'Top-up of 5 GB added.')
    const after = (await ui.stack.subscriber(chen.id)).usage
    expect(after.limitBytes).toBe(before.limitBytes + 5 * GB)
    await waitForText(page.locator('#usage'), `${formatBytes(after.remainingBytes)} left`)
    const row = page
      .getByRole('region', { name: 'Top-ups' })
      .getByRole('row')
      .filter({ hasText: '5 GB' })
      .filter({ hasText: '$5.00' })
    expect(await row.count()).toBe(1)
    await waitForText(row, 'Operator')
    // The post redirected back (post/redirect/get): a reload does not add the top-up again.
    await page.reload()
    expect((await ui.stack.subscriber(chen.id)).usage.limitBytes).toBe(after.limitBytes)
  })

  it('sells a top-up plan; charging an empty balance is refused and changes nothing', async () => {
    const { chen, topUpPlans } = ui.stack.seed
    const page = await subscriberPage(chen.id)
    const form = page.getByRole('form', { name: 'Sell a top-up plan' })

    const before = await ui.stack.subscriber(chen.id)
    expect(before.balance.amount).toBe(0)
    await form.getByLabel('Top-up plan').selectOption({ label: topUpPlans.small.label })
    await form.getByLabel('Charge to').selectOption({ label: 'Account balance' })
    await form.getByRole('button', { name: 'Sell top-up' }).click()
    await waitForText(page.getByRole('alert'), 'balance is $0.00, the top-up costs $3.00')
    const unchanged = await ui.stack.subscriber(chen.id)
    expect(unchanged.usage.limitBytes).toBe(before.usage.limitBytes)
    expect(unchanged.balance).toEqual(before.balance)

    await form.getByLabel('Top-up plan').selectOption({ label: topUpPlans.small.label })
    await form.getByLabel('Charge to').selectOption({ label: 'Invoice' })
    await form.getByRole('button', { name: 'Sell top-up' }).click()
    await waitForText(page.getByRole('status'), 'Top-up of 500 MB added.')
    const after = await ui.stack.subscriber(chen.id)
    expect(after.usage.limitBytes).toBe(before.usage.limitBytes + 500 * MB)
    await waitForText(page.locator('#usage'), `${formatBytes(after.usage.remainingBytes)} left`)
    await waitForText(page.getByRole('region', { name: 'Top-ups' }).getByRole('row'), '$3.00')
  })

  it('saves auto top-up settings, keeps them after a reload, and turns them off again', async () => {
    const { chen, topUpPlans } = ui.stack.seed
    const page = await subscriberPage(chen.id)
    const form = () => page.getByRole('form', { name: 'Auto top-up' })
    const enabled = () => form().getByLabel('Auto top-up enabled')

    expect(await enabled().isChecked()).toBe(false)
    await enabled().check()
    await form().getByLabel('Top-up plan').selectOption({ label: topUpPlans.small.label })
    await form().getByLabel('Maximum per period').fill('3')
    await form().getByLabel('Top up when remaining data is at most', { exact: true }).fill('100')
    await form().getByLabel('Top up when remaining data is at most (unit)').selectOption('MB')
    await form().getByLabel('Minimum minutes between two').fill('10')
    await form().getByLabel('Spend limit per period').fill('25.00')
    await form().getByLabel('Charge to').selectOption('invoice')
    await form().getByLabel('Invoice line').fill('{plan} for {subscriber}')
    await form().getByRole('button', { name: 'Save auto top-up' }).click()
    await waitForText(page.getByRole('status'), 'Auto top-up saved.')
    expect((await ui.stack.subscriber(chen.id)).autoTopUp).toMatchObject({
      enabled: true,
      topUpPlanId: topUpPlans.small.id,
      maxPerPeriod: 3,
      thresholdBytes: 100 * MB,
      minIntervalMs: 600_000,
      spendCapPerPeriod: 2500,
      chargeTo: 'invoice',
      descriptionTemplate: '{plan} for {subscriber}',
    })

    await page.reload()
    expect(await enabled().isChecked()).toBe(true)
    expect(await form().getByLabel('Top-up plan').inputValue()).toBe(topUpPlans.small.id)
    expect(await form().getByLabel('Maximum per period').inputValue()).toBe('3')
    const threshold = 'Top up when remaining data is at most'
    expect(await form().getByLabel(threshold, { exact: true }).inputValue()).toBe('100')
    expect(await form().getByLabel(`${threshold} (unit)`).inputValue()).toBe('MB')
    expect(await form().getByLabel('Spend limit per period').inputValue()).toBe('25.00')
    expect(await form().getByLabel('Charge to').inputValue()).toBe('invoice')
    expect(await page.locator('.notice').count()).toBe(0)

    await enabled().uncheck()
    await form().getByRole('button', { name: 'Save auto top-up' }).click()
    await waitForText(page.getByRole('status'), 'Auto top-up saved.')
    await page.reload()
    expect(await enabled().isChecked()).toBe(false)
    expect((await ui.stack.subscriber(chen.id)).autoTopUp.enabled).toBe(false)
  })

  it('refuses a manual top-up with a bad amount, names the field, and changes nothing', async () => {
    const { chen } = ui.stack.seed
    const before = await ui.stack.subscriber(chen.id)
    const page = await subscriberPage(chen.id)
    const form = page.getByRole('form', { name: 'Manual top-up' })
    // A number alone: no unit is chosen for it, and the browser will not send the form without one.
    await form.getByLabel('Data amount', { exact: true }).fill('200')
    await form.getByLabel('Price').fill('10.00')
    const unit = form.getByLabel('Data amount (unit)')
    expect(await unit.inputValue()).toBe('')
    await form.getByRole('button', { name: 'Add top-up' }).click()
    const missing = (el: unknown) => (el as { validity: { valueMissing: boolean } }).validity.valueMissing
    expect(await unit.evaluate(missing)).toBe(true)
    expect(await ui.stack.subscriber(chen.id)).toEqual(before)
    await form.getByLabel('Data amount', { exact: true }).fill('lots')
    await form.getByLabel('Data amount (unit)').selectOption('GB')
    await form.getByLabel('Price').fill('5.00')
    await form.getByRole('button', { name: 'Add top-up' }).click()
    await waitForText(page.getByRole('alert'), 'Check the field marked below.')
    await waitForText(
      page.getByRole('form', { name: 'Manual top-up' }).locator('.field-error'),
      'Enter the data amount as a number',
    )
    expect(await ui.stack.subscriber(chen.id)).toEqual(before)
  })

  it('shows usage the agent reports without reloading the page', async () => {
    const { bongani } = ui.stack.seed
    const page = await subscriberPage(bongani.id)
    await page.waitForSelector('body[data-live="connected"]')
    const url = page.url()
    await markDocument(page)
    const remaining = page.locator('#usage .remaining')
    const first = (await remaining.textContent()) ?? ''
    await remaining.filter({ hasNotText: first }).waitFor({ timeout: 20_000 })
    const now = (await remaining.textContent()) ?? ''
    expect(now).toMatch(/ left$/)
    expect(now).not.toBe(first)
    expect(page.url()).toBe(url)
    expect(await sameDocument(page)).toBe(true)
    expect(await page.locator('body').getAttribute('data-live-updated-at')).toMatch(/^\d+$/)
  })

  it('passes the accessibility checks (WCAG 2.1 A and AA)', async () => {
    const { bongani } = ui.stack.seed
    const page = await subscriberPage(bongani.id, { bypassCSP: true })
    await page.getByRole('heading', { level: 1, name: bongani.name }).waitFor()
    await expectAccessible(page, "a subscriber's page")
    await saveScreenshot(page, 'operator-subscriber')
  })
})
