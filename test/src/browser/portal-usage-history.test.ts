/**
 * The portal's usage history in a real browser against the real controller and an agent on a
 * simulated router: once usage is booked, a customer on a phone sees the daily chart with the
 * plan's allowance line and the hourly chart, readable (no sideways scrolling, accessible), and
 * downloads their own CSV.
 */
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser } from '../support/browser.js'
import { saveScreenshot } from '../support/screenshots.js'
import { portalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'
import { waitFor } from '../support/wait-for.js'

describe.skipIf(skipBrowser)(browserTitle('the portal’s usage history in a browser'), () => {
  const ui = uiSuite()

  it('shows the daily chart with the plan line and the hourly chart on a phone, and the CSV', async () => {
    const { simulatedAgentId } = ui.stack.seed
    const plan = await ui.stack.call('POST', '/plans', { name: 'Home 50 GB', capBytes: 50e9, onCap: 'block' })
    expect(plan.status).toBe(201)
    const kofi = await ui.stack.addCustomer({
      name: 'Kofi Boateng',
      login: 'kofi',
      planId: plan.body.id,
      agentId: simulatedAgentId,
      address: '10.20.0.41',
      balanceCents: 0,
    })
    await waitFor(
      'Kofi has used some data',
      async () => (await ui.stack.subscriber(kofi.id)).usage.usedBytes > 0,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    )
    const page = await ui.page({ device: 'phone', bypassCSP: true })
    await portalLogin(page, kofi)
    await page.getByRole('link', { name: 'Usage history' }).click()
    await page.getByRole('heading', { level: 1, name: 'Your usage' }).waitFor()
    const daily = page.getByRole('img', { name: /Daily usage/ })
    expect(await daily.isVisible()).toBe(true)
    expect(await page.locator('#daily-usage [data-bucket="plan"] path').count()).toBe(1)
    expect(await page.getByRole('img', { name: /Usage per hour/ }).isVisible()).toBe(true)
    const box = await daily.boundingBox()
    // Wide enough to read on a phone, and nothing scrolls sideways.
    expect(box!.width).toBeGreaterThan(250)
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )
    expect(overflow).toBeLessThanOrEqual(0)
    await expectAccessible(page, 'the portal usage page')
    await saveScreenshot(page, 'portal-usage-history-phone')

    const download = page.waitForEvent('download')
    await page.getByRole('link', { name: 'this period by day' }).click()
    const csv = await (await download).createReadStream()
    let text = ''
    for await (const chunk of csv) text += chunk
    expect(text.startsWith('day,download_bytes,upload_bytes,total_bytes\r\n')).toBe(true)
    const total = text
      .trim()
      .split('\r\n')
      .slice(1)
      .reduce((sum, line) => sum + Number(line.split(',')[3]), 0)
    expect(total).toBeGreaterThan(0)
  })
})
