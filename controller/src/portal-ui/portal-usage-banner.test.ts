import { describe, expect, it } from 'vitest'
import { textOfId } from '../testing/field-marks.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

/** Anna logged in, and a way to set her usage and her plan's alert percentages and read her home page. */
async function anna(extra: { topUp?: boolean } = {}) {
  const k = await pagesKit()
  if (extra.topUp) {
    expect(
      (await k.call('POST', `/subscribers/${k.anna.id}/topups`, { topUpPlanId: k.topUpPlan.id })).status,
    ).toBe(201)
  }
  const browser = await k.browserFor(ANNA)
  async function homeWith(usedBytes: number, notifyAtPercent?: number[]) {
    await k.store.transact(async (tx) => {
      const plan = (await tx.plans.get(k.plan.id))!
      if (notifyAtPercent) await tx.plans.update({ ...plan, notifyAtPercent })
      const sub = (await tx.subscribers.get(k.anna.id))!
      await tx.subscribers.update({ ...sub, usedBytes })
    })
    return (await browser.get('/portal')).html
  }
  return { k, browser, homeWith }
}

const bannerOf = (html: string) => textOfId(html, 'usage-alert')

describe('portal home: the usage banner', () => {
  it('says the highest percentage crossed of the whole allowance, top-ups included, with the period end and a way to buy', async () => {
    // 110 GB with the top-up: 88 GB is 80% of it, a byte less is not.
    const { homeWith } = await anna({ topUp: true })
    const html = await homeWith(88e9)
    expect(html).toMatch(/<div id="usage-alert" data-live="?[^"]*"? role="status">/)
    expect(bannerOf(html)).toBe('You have used 80% of your dataThis period ends on 31 Mar 2026.Buy a top-up')
    expect(html).toContain('<a class="button primary" href="#buy-title">Buy a top-up</a>')
    // The region stays (empty) so a screen reader hears the banner when it comes.
    const below = await homeWith(88e9 - 1)
    expect(below).toMatch(/<div id="usage-alert" data-live="?[^"]*"? role="status"><\/div>/)
  })

  it('follows the plan’s own percentages', async () => {
    const { homeWith } = await anna()
    expect(bannerOf(await homeWith(49e9, [50, 75]))).toBe('')
    expect(bannerOf(await homeWith(60e9))).toMatch(/^You have used 50% of your data/)
    expect(bannerOf(await homeWith(75e9))).toMatch(/^You have used 75% of your data/)
    expect(bannerOf(await homeWith(99e9, []))).toBe('')
  })

  it('at the cap says access is paused or the speed reduced, as the agent applies it', async () => {
    const { k, browser, homeWith } = await anna()
    await homeWith(100e9, [])
    await k.agentApplies(k.anna.id, 'blocked')
    expect(bannerOf((await browser.get('/portal')).html)).toMatch(
      /^You have used all your data — access is paused until you top up/,
    )
    await k.agentApplies(k.anna.id, 'throttled')
    expect(bannerOf((await browser.get('/portal')).html)).toMatch(
      /^You have used all your data — your speed is reduced until you top up/,
    )
  })

  it('is not shown while suspended: that notice says why the customer is offline', async () => {
    const { k, browser, homeWith } = await anna()
    expect(bannerOf(await homeWith(95e9))).toMatch(/^You have used 80%/)
    expect((await k.call('POST', `/subscribers/${k.anna.id}/suspend`, { reason: 'Unpaid' })).status).toBe(200)
    const html = (await browser.get('/portal')).html
    expect(html).toContain('Your account is suspended')
    expect(bannerOf(html)).toBe('')
  })
})
