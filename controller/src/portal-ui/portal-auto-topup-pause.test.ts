import { describe, expect, it } from 'vitest'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import { ADMIN } from '../operator-ui/subscriber-test-kit.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

/** The text of the region with `id` (tags dropped, entities of the sentences decoded). */
function regionText(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`)
  if (start < 0) return ''
  const open = html.lastIndexOf('<', start)
  const tag = /^<(\w+)/.exec(html.slice(open))![1]!
  const end = html.indexOf(`</${tag}>`, start)
  return html
    .slice(html.indexOf('>', start) + 1, end)
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim()
}

/** Anna ($20 on her account, the plan $5) with auto top-up set as given, her data then used up `rounds` times. */
async function paused(settings: object, opts: { balance: number; retire?: boolean; rounds?: number }) {
  const k = await pagesKit()
  if (opts.balance > 0)
    await k.call('POST', `/subscribers/${k.anna.id}/payments`, { amount: usd(opts.balance) })
  const put = await k.call('PUT', `/subscribers/${k.anna.id}/auto-topup`, {
    enabled: true,
    topUpPlanId: k.topUpPlan.id,
    maxPerPeriod: 3,
    minIntervalMs: 0,
    customerMayChange: true,
    ...settings,
  })
  expect(put.status).toBe(200)
  if (opts.retire) await k.call('POST', `/topup-plans/${k.topUpPlan.id}/retire`)
  for (let i = 0; i < (opts.rounds ?? 1); i++) {
    await k.useUp(k.anna.id)
    await autoTopUpPass(k.store, k.env, [k.anna.id])
  }
  const portal = await k.browserFor(ANNA)
  const portalText = regionText((await portal.get('/portal')).html, 'auto-topup-paused')
  const operator = new BrowserCaller(k.app)
  expect((await operator.post('/login', ADMIN)).status).toBe(303)
  const operatorText = regionText((await operator.get(`/subscribers/${k.anna.id}`)).html, 'auto-topup-paused')
  return { k, portal, portalText, operatorText }
}

describe('why auto top-up is paused, in the portal and on the operator page', () => {
  it('the maximum: buy one now, or raise the maximum in the settings', async () => {
    const { portalText, operatorText } = await paused({ maxPerPeriod: 2 }, { balance: 5000, rounds: 3 })
    expect(portalText).toBe(
      'Auto top-up paused: monthly maximum of 2 reached — buy one now or raise the maximum.',
    )
    expect(operatorText).toBe('Auto top-up paused: monthly maximum of 2 reached')
  })

  it('the spend limit, in money', async () => {
    const { portalText, operatorText } = await paused(
      { spendCapPerPeriod: 1200 },
      { balance: 5000, rounds: 3 },
    )
    expect(portalText).toBe(
      'Auto top-up paused: spend limit of $12.00 for this period reached — buy one now or raise the spend limit.',
    )
    expect(operatorText).toBe('Auto top-up paused: spend limit of $12.00 for this period reached')
  })

  it('not enough balance, with what there is and what it costs', async () => {
    // $21.20 pays for four; the fifth finds $1.20.
    const { portalText, operatorText } = await paused({ maxPerPeriod: 10 }, { balance: 120, rounds: 5 })
    expect(portalText).toBe(
      'Auto top-up paused: not enough balance ($1.20 of $5.00) — add money or buy one now.',
    )
    expect(operatorText).toBe('Auto top-up paused: not enough balance ($1.20 of $5.00)')
  })

  it('the plan withdrawn', async () => {
    const { portalText } = await paused({}, { balance: 5000, retire: true })
    expect(portalText).toBe(
      'Auto top-up paused: the chosen top-up plan is no longer on sale — choose another top-up plan.',
    )
  })

  it('the minimum interval, with when it tries again', async () => {
    const { k, portalText, operatorText } = await paused(
      { minIntervalMs: 600_000 },
      { balance: 5000, rounds: 2 },
    )
    expect(portalText).toBe(
      'Auto top-up paused: the last one was only minutes ago; it tries again at 10 Mar 2026, 12:10',
    )
    expect(operatorText).toBe(portalText)
    // The same in the JSON APIs: the customer's, with the sentence; the operator's, with the record.
    const { cookie } = await k.login(ANNA)
    const me = (await k.portal('GET', '/portal/api/me', { cookie })).body
    expect(me.autoTopUpPaused).toEqual({
      reason: 'min_interval',
      message: portalText,
      retryAt: '2026-03-10T12:10:00.000Z',
    })
    const read = (await k.call('GET', `/subscribers/${k.anna.id}`)).body
    expect(read.autoTopUpDeclined).toEqual({
      reason: 'min_interval',
      periodStart: '2026-03-01T00:00:00.000Z',
      at: '2026-03-10T12:00:00.000Z',
      retryAt: '2026-03-10T12:10:00.000Z',
    })
  })

  it('no link to settings the customer may not change', async () => {
    const { portalText } = await paused(
      { maxPerPeriod: 1, customerMayChange: false },
      { balance: 5000, rounds: 2 },
    )
    expect(portalText).toBe('Auto top-up paused: monthly maximum of 1 reached — buy one now.')
  })

  it('says nothing once a top-up went through again', async () => {
    const { k, portal, portalText } = await paused({ maxPerPeriod: 10 }, { balance: 0, rounds: 5 })
    expect(portalText).not.toBe('')
    await k.call('POST', `/subscribers/${k.anna.id}/payments`, { amount: usd(1000) })
    expect(regionText((await portal.get('/portal')).html, 'auto-topup-paused')).toBe('')
  })
})
