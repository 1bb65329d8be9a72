import { describe, expect, it } from 'vitest'
import { BrowserCaller, csrfFrom } from '../testing/browser-caller.js'
import { bannerIn, fieldMarksIn } from '../testing/field-marks.js'
import { ANNA, fieldFrom, pagesKit } from './portal-pages-test-kit.js'

const LIBRARY_WORDS = /expected|received|invalid input|nan|undefined|zod/i

async function withAutoTopUp() {
  const k = await pagesKit()
  await k.call('PUT', `/subscribers/${k.anna.id}/auto-topup`, {
    enabled: false,
    topUpPlanId: k.topUpPlan.id,
    maxPerPeriod: 3,
    customerMayChange: true,
  })
  return { k, browser: await k.browserFor(ANNA) }
}

describe('portal forms, refused', () => {
  it('auto top-up: a plan missing and a maximum out of range are both marked, at once', async () => {
    const { k, browser } = await withAutoTopUp()
    const before = k.snapshot()
    await browser.submit('/portal', '/portal/auto-topup', {
      enabled: 'on',
      topUpPlanId: '',
      maxPerPeriod: '11',
    })
    expect(k.snapshot()).toBe(before)
    const html = (await browser.get('/portal')).html
    expect(bannerIn(html)).toBe('Check the 2 fields marked below.')
    expect(fieldMarksIn(html)).toEqual([
      { name: 'topUpPlanId', label: 'Top-up plan', message: 'Choose a top-up plan.' },
      { name: 'maxPerPeriod', label: 'Maximum per period', message: 'Enter a whole number from 1 to 10.' },
    ])
    // The good field keeps what was typed: the box is still ticked.
    expect(html).toMatch(/id="auto-enabled"[^>]*checked/)
  })

  it('buy: an offer gone is marked beside the offers, and nothing is bought', async () => {
    const k = await pagesKit()
    const browser = await k.browserFor(ANNA)
    const before = k.snapshot()
    await k.buy(browser, { topUpPlanId: 'tpp_gone' })
    expect(k.snapshot()).toBe(before)
    const html = (await browser.get('/portal')).html
    expect(bannerIn(html)).toBe('Check the field marked below.')
    const marks = fieldMarksIn(html)
    expect(marks.map((m) => [m.name, m.message])).toEqual([
      ['topUpPlanId', 'That top-up is no longer on offer. Choose another one.'],
    ])
  })

  it('login: each empty box is marked; a wrong password marks none (it is no one box’s fault)', async () => {
    const k = await pagesKit()
    const browser = new BrowserCaller(k.app)
    const empty = await browser.post('/portal/login', { login: 'anna', password: '' })
    expect(empty.status).toBe(400)
    expect(fieldMarksIn(empty.html)).toEqual([
      { name: 'password', label: 'Password', message: 'Enter your password.' },
    ])
    expect(empty.html).toMatch(/name="login"[^>]*value="anna"/)
    const wrong = await browser.post('/portal/login', { login: 'anna', password: 'not-it' })
    expect(wrong.status).toBe(401)
    expect(fieldMarksIn(wrong.html)).toEqual([])
    expect(bannerIn(wrong.html)).toBe('The login or the password is wrong.')
  })

  it('garbage in every portal form is answered in our words only', async () => {
    const { k, browser } = await withAutoTopUp()
    const odd = [
      '',
      ' ',
      'NaN',
      'undefined',
      '-1',
      '1e3',
      '٣',
      'x'.repeat(300),
      '\u202e',
      'on',
      k.topUpPlan.id,
    ]
    const pick = () => odd[Math.floor(Math.random() * odd.length)]!
    for (let i = 0; i < 30; i++) {
      const page = (await browser.get('/portal')).html
      const buy = i % 2 === 0
      const fields: Record<string, string> = buy
        ? {
            idempotencyKey: Math.random() < 0.8 ? fieldFrom(page, 'idempotencyKey') : pick(),
            topUpPlanId: pick(),
          }
        : { enabled: pick(), topUpPlanId: pick(), maxPerPeriod: pick() }
      if (Math.random() < 0.2) fields[pick() || 'extra'] = pick()
      const reply = await browser.post(buy ? '/portal/topups' : '/portal/auto-topup', {
        _csrf: csrfFrom(page),
        ...fields,
      })
      const where = JSON.stringify(fields)
      expect(reply.status, where).toBeLessThan(500)
      const html = reply.location ? (await browser.get(reply.location)).html : reply.html
      for (const message of [bannerIn(html) ?? '', ...fieldMarksIn(html).map((m) => m.message)]) {
        const ours = Object.values(fields)
          .filter((v) => v.length >= 3)
          .reduce((text, typed) => text.split(typed).join('…'), message)
        expect(ours, where).not.toMatch(LIBRARY_WORDS)
      }
    }
  }, 60_000)
})
