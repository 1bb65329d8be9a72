/**
 * The portal on a phone shows where the customer's data comes from, bucket by bucket, in a real
 * browser against the real controller: the plan's data and a top-up, with the figures the API gives.
 */
import { formatBytes } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { portalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

interface Bucket {
  kind: 'plan' | 'topup' | 'rollover'
  sizeBytes: number
  usedBytes: number
  leftBytes: number
  expired: boolean
  topUpId?: string
}

describe.skipIf(skipBrowser)(browserTitle('the portal’s buckets in a browser'), () => {
  const ui = uiSuite()

  it('a customer with a top-up sees two buckets, each with what is left of it', async () => {
    // Chen's agent never connects: nothing moves, so the figures are exact.
    const { chen, topUpPlans } = ui.stack.seed
    const bought = await ui.stack.call('POST', `/subscribers/${chen.id}/topups`, {
      topUpPlanId: topUpPlans.small.id,
    })
    expect(bought.status).toBe(201)
    const buckets = (await ui.stack.subscriber(chen.id)).buckets as Bucket[]
    expect(buckets.map((b) => b.kind)).toEqual(['plan', 'topup'])
    expect(buckets[1]!.topUpId).toBe(bought.body.topUp.id)

    const page = await ui.page({ device: 'phone', bypassCSP: true })
    await portalLogin(page, chen)
    const list = page.getByRole('list', { name: 'Where your data comes from' })
    await list.waitFor()
    const items = list.getByRole('listitem')
    expect(await items.count()).toBe(2)
    await waitForText(items.nth(0), 'Your plan’s data')
    await waitForText(items.nth(1), 'Top-up from')
    for (const [i, b] of buckets.entries()) {
      const figures = `${formatBytes(b.leftBytes)} left (${formatBytes(b.usedBytes)} of ${formatBytes(b.sizeBytes)} used)`
      await waitForText(items.nth(i), figures)
    }
    await expectAccessible(page, 'the portal home with two buckets')
  })
})
