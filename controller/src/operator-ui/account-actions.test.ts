import { describe, expect, it } from 'vitest'
import { csrfFrom } from '../testing/browser-caller.js'
import { refusalIn } from '../testing/field-marks.js'
import { fieldIn, flashIn, subscriberTestKit } from './subscriber-test-kit.js'

async function setup() {
  const k = await subscriberTestKit()
  const page = `/subscribers/${k.subscriber.id}`
  /** Loads the page and posts to `path` with its CSRF field and, if the form has one, its key. */
  async function submit(titleId: string, path: string, fields: Record<string, string>) {
    const html = (await k.browser.get(page)).html
    // The settings form is absolute values, so it carries no key; the payment form does.
    const key: Record<string, string> =
      titleId === 'payment-title' ? { idempotencyKey: fieldIn(html, titleId, 'idempotencyKey') } : {}
    const form = { _csrf: csrfFrom(html), ...key, ...fields }
    return { form, reply: await k.browser.post(`${page}${path}`, form) }
  }
  const flash = async () => flashIn((await k.browser.get(page)).html)
  const sub = () => k.data.subscribers[k.subscriber.id]!
  return { ...k, page, submit, flash, sub }
}

const AUTO = {
  enabled: 'on',
  maxPerPeriod: '2',
  thresholdBytes: '1',
  thresholdBytesUnit: 'GB',
  customerMayChange: 'on',
}

describe('auto top-up form', () => {
  it('saves the settings, including whether the customer may change them, and shows them', async () => {
    const k = await setup()
    const { reply } = await k.submit('auto-topup-title', '/auto-topup', {
      ...AUTO,
      topUpPlanId: k.topUpPlan.id,
    })
    expect(reply.status).toBe(303)
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Auto top-up saved.' })
    expect(k.sub().autoTopUp).toEqual({
      enabled: true,
      topUpPlanId: k.topUpPlan.id,
      maxPerPeriod: 2,
      thresholdBytes: 1e9,
      customerMayChange: true,
    })
    expect(k.limitsChanged).toEqual([k.subscriber.id])
    const { html } = await k.browser.get(k.page)
    expect(html).toContain('On: 10 GB, at most 2 per period')
    expect(html).toMatch(/id="auto-customer" name="customerMayChange" type="checkbox" value="on" checked/)
    expect(html).toMatch(/name="thresholdBytes" type="text" inputmode="decimal" value="1"/)
    expect(html).toMatch(/<option value="GB" selected/)
  })

  it('saves the trigger by share, interval, spend limit, billing and invoice line, and shows them', async () => {
    const k = await setup()
    const { reply } = await k.submit('auto-topup-title', '/auto-topup', {
      ...AUTO,
      topUpPlanId: k.topUpPlan.id,
      triggerKind: 'percent_of_last',
      triggerPercent: '25',
      minIntervalMinutes: '15',
      spendCap: '30.00',
      chargeTo: 'invoice',
      compensateOverUsage: 'off',
      descriptionTemplate: '{plan} for {subscriber}',
    })
    expect(reply.status).toBe(303)
    expect(k.sub().autoTopUp).toEqual({
      enabled: true,
      topUpPlanId: k.topUpPlan.id,
      maxPerPeriod: 2,
      trigger: { kind: 'percent_of_last', percent: 25 },
      minIntervalMs: 900_000,
      spendCapPerPeriod: 3000,
      chargeTo: 'invoice',
      compensateOverUsage: false,
      descriptionTemplate: '{plan} for {subscriber}',
      customerMayChange: true,
    })
    const { html } = await k.browser.get(k.page)
    expect(html).toContain(
      'at most 2 per period, when 25% of the last top-up or less is left, at least 15 min apart, ' +
        'at most $30.00 per period, put on the next invoice',
    )
    expect(html).toMatch(/name="triggerPercent" type="number" value="25"/)
    expect(html).toMatch(/name="minIntervalMinutes" type="number" value="15"/)
    expect(html).toMatch(/name="spendCap" type="text" value="30.00"/)
    expect(html).toMatch(/<option value="invoice" selected/)
    expect(html).toMatch(/<option value="off" selected/)
  })

  it('turns off, keeping the plan, and stores that the customer may not change it', async () => {
    const k = await setup()
    await k.submit('auto-topup-title', '/auto-topup', { ...AUTO, topUpPlanId: k.topUpPlan.id })
    await k.submit('auto-topup-title', '/auto-topup', { topUpPlanId: k.topUpPlan.id, maxPerPeriod: '2' })
    expect(k.sub().autoTopUp).toMatchObject({
      enabled: false,
      topUpPlanId: k.topUpPlan.id,
      customerMayChange: false,
    })
  })

  it('applies at once to a subscriber already at the threshold', async () => {
    const k = await setup()
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, {
      amount: { amount: 1000, currency: 'USD' },
    })
    await k.setUsage(k.subscriber.id, 100e9, { state: 'blocked' })
    await k.submit('auto-topup-title', '/auto-topup', { ...AUTO, topUpPlanId: k.topUpPlan.id })
    const [topUp] = Object.values(k.data.topUps)
    expect(topUp).toMatchObject({ source: 'auto', topUpPlanId: k.topUpPlan.id })
    expect(k.sub().balance.amount).toBe(500)
  })

  it.each([
    [{ ...AUTO, topUpPlanId: '' }, /^Top-up plan: Choose the top-up plan/],
    [{ ...AUTO, topUpPlanId: 'tpp_nothing' }, /^Top-up plan: That top-up plan no longer exists/],
    [{ ...AUTO, maxPerPeriod: '0' }, /^Maximum per period: Enter a whole number from 1 to 100\.$/],
    [{ ...AUTO, maxPerPeriod: '1.5' }, /^Maximum per period: Enter a whole number/],
    [
      { ...AUTO, thresholdBytes: 'lots' },
      /^Top up when remaining data is at most: Enter the data amount as a number/,
    ],
    [
      { ...AUTO, triggerKind: 'percent_of_last', triggerPercent: '0' },
      /^Share of the last top-up \(%\): Enter a whole number from 1 to 100\.$/,
    ],
    [{ ...AUTO, triggerKind: 'percent_of_last' }, /^Share of the last top-up \(%\): This field is required/],
    [{ ...AUTO, triggerKind: 'days' }, /^Top up when: Choose one of the options/],
    [
      { ...AUTO, minIntervalMinutes: '-1' },
      /^Minimum minutes between two: Enter a whole number from 0 to 10080/,
    ],
    [{ ...AUTO, minIntervalMinutes: '10081' }, /^Minimum minutes between two: Enter a whole number/],
    [{ ...AUTO, spendCap: '0' }, /^Spend limit per period: Enter an amount more than 0/],
    [{ ...AUTO, spendCap: 'ten' }, /^Spend limit per period: Enter an amount such as/],
    [{ ...AUTO, chargeTo: 'card' }, /^Charge to: Choose one of the options/],
    [
      { ...AUTO, descriptionTemplate: 'Top-up {sise}' },
      /^Invoice line: May use only \{size\}, \{plan\} and \{subscriber\}, not \{sise\}\.$/,
    ],
  ])('refuses %j with a clear message, changing nothing', async (fields, message) => {
    const k = await setup()
    const before = k.snapshot()
    const { reply } = await k.submit('auto-topup-title', '/auto-topup', {
      topUpPlanId: k.topUpPlan.id,
      ...fields,
    })
    expect(reply.status).toBe(303)
    const html = (await k.browser.get(k.page)).html
    expect(flashIn(html)?.kind).toBe('error')
    expect(refusalIn(html)).toMatch(message)
    expect(k.snapshot()).toBe(before)
  })
})

describe('payment form', () => {
  it('credits the balance once, even when the form is posted twice', async () => {
    const k = await setup()
    const { form, reply } = await k.submit('payment-title', '/payments', {
      amount: '20.00',
      reference: 'bank 42',
    })
    expect(reply.status).toBe(303)
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Payment of $20.00 recorded.' })
    await k.browser.post(`${k.page}/payments`, form)
    expect(k.sub().balance).toEqual({ amount: 2000, currency: 'USD' })
    const payments = Object.values(k.data.payments)
    expect(payments).toHaveLength(1)
    expect(payments[0]).toMatchObject({ reference: 'bank 42', amount: { amount: 2000, currency: 'USD' } })
    const { html } = await k.browser.get(k.page)
    expect(html).toContain('<dd>$20.00</dd>')
    expect(html).toContain('<td>Payment</td>')
  })

  it('lets an auto top-up declined for want of money go ahead', async () => {
    const k = await setup()
    await k.submit('auto-topup-title', '/auto-topup', { ...AUTO, topUpPlanId: k.topUpPlan.id })
    await k.setUsage(k.subscriber.id, 100e9, { state: 'blocked' })
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, {
      amount: { amount: 1, currency: 'USD' },
    })
    expect(Object.values(k.data.topUps)).toHaveLength(0)
    k.limitsChanged.length = 0
    await k.submit('payment-title', '/payments', { amount: '10' })
    expect(Object.values(k.data.topUps)).toHaveLength(1)
    expect(k.limitsChanged).toEqual([k.subscriber.id])
  })

  it.each([
    [{ amount: '' }, /^Amount: This field is required\.$/],
    [{ amount: '0' }, /^Amount: Enter an amount more than 0/],
    [{ amount: 'ten' }, /^Amount: Enter an amount such as 10\.00\.$/],
    [{ amount: '5', reference: 'x'.repeat(201) }, /^Reference: Use at most 200 characters\.$/],
  ])('refuses %j, changing nothing', async (fields, message) => {
    const k = await setup()
    const before = k.snapshot()
    await k.submit('payment-title', '/payments', fields)
    expect(refusalIn((await k.browser.get(k.page)).html)).toMatch(message)
    expect(k.snapshot()).toBe(before)
  })
})
