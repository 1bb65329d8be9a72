import { describe, expect, it } from 'vitest'
import { csrfFrom } from '../testing/browser-caller.js'
import { refusalIn } from '../testing/field-marks.js'
import { fieldIn, flashIn, subscriberTestKit } from './subscriber-test-kit.js'

async function setup() {
  const k = await subscriberTestKit()
  const page = `/subscribers/${k.subscriber.id}`
  /** Loads the page and posts the form named `titleId` to `path` as a browser would: its CSRF field and key. */
  async function submit(titleId: string, path: string, fields: Record<string, string>, headers = {}) {
    const html = (await k.browser.get(page)).html
    const form = {
      _csrf: csrfFrom(html),
      idempotencyKey: fieldIn(html, titleId, 'idempotencyKey'),
      ...fields,
    }
    return { form, reply: await k.browser.post(`${page}${path}`, form, { headers }) }
  }
  const limitBytes = async () =>
    (await k.call('GET', `/subscribers/${k.subscriber.id}`)).body.usage.limitBytes
  const flash = async () => flashIn((await k.browser.get(page)).html)
  return { ...k, page, submit, limitBytes, flash }
}

describe('top-up forms', () => {
  it('a manual top-up adds one top-up and one invoice, raises the limit and tells the hub', async () => {
    const k = await setup()
    const { reply } = await k.submit('manual-topup-title', '/topups', {
      bytes: '5',
      bytesUnit: 'GB',
      price: '2.50',
      chargeTo: 'invoice',
    })
    expect(reply.status).toBe(303)
    expect(reply.location).toBe(k.page)
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Top-up of 5 GB added.' })
    const topUps = Object.values(k.data.topUps)
    expect(topUps).toHaveLength(1)
    expect(topUps[0]).toMatchObject({
      bytes: 5e9,
      price: { amount: 250, currency: 'USD' },
      source: 'operator',
    })
    expect(topUps[0]!.actor).toMatch(/^user:/)
    expect(Object.values(k.data.invoices)).toHaveLength(1)
    expect(await k.limitBytes()).toBe(105e9)
    expect(k.limitsChanged).toEqual([k.subscriber.id])
    const { html } = await k.browser.get(k.page)
    expect(html).toContain('105 GB')
    expect(html).toContain('$2.50')
  })

  it('posting the same form twice adds one top-up', async () => {
    const k = await setup()
    const { form } = await k.submit('manual-topup-title', '/topups', {
      bytes: '5',
      bytesUnit: 'GB',
      price: '1.00',
    })
    const again = await k.browser.post(`${k.page}/topups`, form)
    expect(again.status).toBe(303)
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Top-up of 5 GB added.' })
    expect(Object.values(k.data.topUps)).toHaveLength(1)
    expect(Object.values(k.data.invoices)).toHaveLength(1)
    expect(await k.limitBytes()).toBe(105e9)
  })

  it('refuses a form without its key, changing nothing', async () => {
    const k = await setup()
    const before = k.snapshot()
    const { reply } = await k.submit('manual-topup-title', '/topups', {
      bytes: '5',
      bytesUnit: 'GB',
      price: '1.00',
      idempotencyKey: '',
    })
    expect(reply.status).toBe(303)
    expect((await k.flash())?.kind).toBe('error')
    expect(k.snapshot()).toBe(before)
  })

  it('sells a top-up plan, charged to the balance when there is enough', async () => {
    const k = await setup()
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, {
      amount: { amount: 2000, currency: 'USD' },
    })
    const { reply } = await k.submit('sell-topup-title', '/topups/plan', {
      topUpPlanId: k.topUpPlan.id,
      chargeTo: 'balance',
    })
    expect(reply.status).toBe(303)
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Top-up of 10 GB added.' })
    const [topUp] = Object.values(k.data.topUps)
    expect(topUp).toMatchObject({ topUpPlanId: k.topUpPlan.id, chargeTo: 'balance', source: 'operator' })
    expect(k.data.subscribers[k.subscriber.id]!.balance).toEqual({ amount: 1500, currency: 'USD' })
    expect(await k.limitBytes()).toBe(110e9)
    expect(k.limitsChanged).toEqual([k.subscriber.id])
  })

  it('refuses a charge to a balance that is too low, changing nothing', async () => {
    const k = await setup()
    const before = k.snapshot()
    await k.submit('sell-topup-title', '/topups/plan', { topUpPlanId: k.topUpPlan.id, chargeTo: 'balance' })
    expect(await k.flash()).toEqual({ kind: 'error', text: 'balance is $0.00, the top-up costs $5.00' })
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })

  it.each([
    [{ bytes: '5 parsecs', price: '1.00' }, /^Data amount: Type only the number here/],
    [{ bytes: '', price: '1.00' }, /^Data amount: Enter the data amount as a number/],
    [{ bytes: '0', bytesUnit: 'GB', price: '1.00' }, /^Data amount: Enter at least 1 MB\.$/],
    [{ bytes: '5', bytesUnit: 'GB', price: 'five' }, /^Price: Enter an amount such as 10\.00\.$/],
    [{ bytes: '5', bytesUnit: 'GB', price: '-1.00' }, /^Price: Enter an amount of 0 or more/],
    [{ bytes: '5', bytesUnit: 'GB', price: '1.005' }, /^Price: Enter an amount such as 10\.00\.$/],
    [
      { bytes: '5', bytesUnit: 'GB', price: '1.00', chargeTo: 'card' },
      /^Charge to: Choose Invoice or Account balance\.$/,
    ],
  ])('refuses %j with a message naming the field, changing nothing', async (fields, message) => {
    const k = await setup()
    const before = k.snapshot()
    const { reply } = await k.submit('manual-topup-title', '/topups', fields)
    expect(reply.status).toBe(303)
    expect(reply.location).toBe(k.page)
    const html = (await k.browser.get(k.page)).html
    expect(flashIn(html)?.kind).toBe('error')
    expect(refusalIn(html)).toMatch(message)
    expect(k.snapshot()).toBe(before)
  })

  it('refuses a post without the CSRF token, or from another site, changing nothing', async () => {
    const k = await setup()
    const before = k.snapshot()
    const html = (await k.browser.get(k.page)).html
    const form = {
      bytes: '5',
      bytesUnit: 'GB',
      price: '1.00',
      idempotencyKey: fieldIn(html, 'manual-topup-title', 'idempotencyKey'),
    }
    expect((await k.browser.post(`${k.page}/topups`, form)).status).toBe(403)
    expect((await k.browser.post(`${k.page}/topups`, { ...form, _csrf: 'wrong' })).status).toBe(403)
    const cross = await k.browser.post(
      `${k.page}/topups`,
      { ...form, _csrf: csrfFrom(html) },
      { headers: { 'sec-fetch-site': 'cross-site' } },
    )
    expect(cross.status).toBe(403)
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })
})
