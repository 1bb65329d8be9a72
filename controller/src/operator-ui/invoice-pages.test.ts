import { describe, expect, it } from 'vitest'
import { csrfFrom } from '../testing/browser-caller.js'
import { staffTestKit } from './staff-test-kit.js'
import { fieldIn, flashIn, subscriberTestKit } from './subscriber-test-kit.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function setup() {
  const k = await subscriberTestKit()
  const taxed = (
    await k.call('POST', '/topup-plans', {
      name: 'Taxed 5 GB',
      bytes: 5e9,
      price: usd(1000),
      tax: { ratePercent: 16, inclusive: false },
    })
  ).body
  const sold = (await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: taxed.id }))
    .body
  const page = `/invoices/${sold.invoice.id}`
  /** Posts the form named `titleId` on the invoice page, as a browser would. */
  async function submit(titleId: string, path: string, fields: Record<string, string>) {
    const html = (await k.browser.get(page)).html
    const form = {
      _csrf: csrfFrom(html),
      idempotencyKey: fieldIn(html, titleId, 'idempotencyKey'),
      ...fields,
    }
    return { form, reply: await k.browser.post(`${page}${path}`, form) }
  }
  const flash = async () => flashIn((await k.browser.get(page)).html)
  return { ...k, sold, page, submit, flash }
}

describe('invoice page', () => {
  it('shows per line net, tax rate and tax, the totals and the actions area', async () => {
    const k = await setup()
    const { html, status } = await k.browser.get(k.page)
    expect(status).toBe(200)
    expect(html).toContain('<h1>Invoice INV-2026-000001</h1>')
    for (const figure of ['$10.00', '16%', '$1.60', '$11.60']) expect(html).toContain(figure)
    expect(html).toContain('id="invoice-actions"')
    expect(html).toContain('id="invoice-payment-title"')
    expect((await k.browser.get('/invoices/inv-nope')).status).toBe(404)
  })

  it('records a partial then a full payment once each, even when a form is sent twice', async () => {
    const k = await setup()
    const first = await k.submit('invoice-payment-title', '/payments', {
      amount: '5.00',
      method: 'cash',
      reference: 'R-1',
    })
    expect(first.reply.status).toBe(303)
    await k.browser.post(`${k.page}/payments`, first.form) // a double click
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Payment of $5.00 recorded on INV-2026-000001.' })
    const over = await k.submit('invoice-payment-title', '/payments', { amount: '7.00', method: 'cash' })
    expect(over.reply.status).toBe(303)
    expect((await k.flash())?.kind).toBe('error')
    await k.submit('invoice-payment-title', '/payments', { amount: '6.60', method: 'mpesa' })
    expect(await k.flash()).toEqual({
      kind: 'ok',
      text: 'Payment of $6.60 recorded on INV-2026-000001: paid in full.',
    })
    const invoice = (await k.call('GET', `/invoices/${k.sold.invoice.id}`)).body
    expect(invoice).toMatchObject({ status: 'paid', amountPaid: usd(1160) })
    const html = (await k.browser.get(k.page)).html
    expect(html).toContain('R-1')
    expect(html).not.toContain('id="invoice-payment-title"')
  })

  it('voids with a credit note linked both ways', async () => {
    const k = await setup()
    await k.submit('invoice-void-title', '/void', { reason: 'wrong plan', refund: 'balance' })
    expect(await k.flash()).toEqual({
      kind: 'ok',
      text: 'INV-2026-000001 voided by credit note CN-2026-000001; its top-up data was removed.',
    })
    const invoice = (await k.call('GET', `/invoices/${k.sold.invoice.id}`)).body
    const html = (await k.browser.get(k.page)).html
    expect(html).toContain(`<a href="/invoices/${invoice.creditNoteId}">CN-2026-000001</a>`)
    const credit = (await k.browser.get(`/invoices/${invoice.creditNoteId}`)).html
    expect(credit).toContain('<h1>Credit note CN-2026-000001</h1>')
    expect(credit).toContain(`<a href="${k.page}">INV-2026-000001</a>`)
  })

  it('reverses a top-up from the subscriber page', async () => {
    const k = await setup()
    const page = `/subscribers/${k.subscriber.id}`
    const html = (await k.browser.get(page)).html
    const action = `/topups/${k.sold.topUp.id}/reverse`
    expect(html).toContain(`action="${action}"`)
    const key = new RegExp(`action="${action}"[\\s\\S]*?name="idempotencyKey" value="([^"]+)"`).exec(
      html,
    )![1]!
    const reply = await k.browser.post(action, {
      _csrf: csrfFrom(html),
      idempotencyKey: key,
      reason: 'mistake',
    })
    expect(reply.location).toBe(page)
    expect(flashIn((await k.browser.get(page)).html)?.text).toBe(
      'Top-up reversed: its data is removed, credit note CN-2026-000001 issued.',
    )
    expect((await k.call('GET', `/subscribers/${k.subscriber.id}`)).body.usage.limitBytes).toBe(100e9)
  })
})

describe('accounting downloads', () => {
  it('the Invoices page offers the three CSVs; a logged-in operator downloads them, a stranger does not', async () => {
    const k = await setup()
    const html = (await k.browser.get('/invoices')).html
    for (const name of ['invoices', 'payments', 'credit-notes'])
      expect(html).toContain(`/exports/${name}.csv`)
    const csv = await k.browser.get('/exports/invoices.csv?from=2026-03-01&to=2026-03-31')
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(csv.html.split('\r\n')[1]).toMatch(
      /^INV-2026-000001,invoice,2026-03-10T12:00:00.000Z,[^,]+,Alice,open,10.00,1.60,11.60,0.00,USD,,,$/,
    )
    expect((await k.browser.get('/exports/invoices.csv?from=2026-03-31&to=2026-03-01')).status).toBe(400)
    const stranger = await k.app.request(
      new Request('http://localhost/exports/invoices.csv?from=2026-03-01&to=2026-03-31'),
    )
    expect(stranger.status).not.toBe(200)
  })
})

describe('invoice actions by role', () => {
  it('support may read an invoice but not pay, void or reverse; billing may; only admin sees billing settings', async () => {
    const k = await staffTestKit()
    const sold = (
      await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: k.topUpPlan.id })
    ).body
    const support = await k.sessionOf((await k.addAccount('sam', 'support')).id)
    const billing = await k.sessionOf((await k.addAccount('bea', 'billing')).id)
    const page = `/invoices/${sold.invoice.id}`
    const read = await support.browser.get(page)
    expect(read.status).toBe(200)
    expect(read.html).not.toContain('id="invoice-payment-title"')
    const before = k.snapshot()
    for (const [path, form] of [
      [`${page}/payments`, { amount: '1.00', method: 'cash', idempotencyKey: crypto.randomUUID() }],
      [`${page}/void`, { reason: 'x', idempotencyKey: crypto.randomUUID() }],
      [`/topups/${sold.topUp.id}/reverse`, { reason: 'x', idempotencyKey: crypto.randomUUID() }],
      ['/settings/billing', { paidTopUps: 'proforma', operatorTopUps: 'balance_now' }],
    ] as const) {
      expect((await support.post(path, form)).status).toBe(403)
    }
    expect(
      (await billing.post('/settings/billing', { paidTopUps: 'proforma', operatorTopUps: 'balance_now' }))
        .status,
    ).toBe(403)
    expect((await billing.browser.get('/settings/billing')).status).toBe(403)
    expect(k.snapshot()).toBe(before)
    const paid = await billing.post(`${page}/payments`, {
      amount: '5.00',
      method: 'cash',
      idempotencyKey: crypto.randomUUID(),
    })
    expect(paid.status).toBe(303)
    expect((await k.call('GET', `/invoices/${sold.invoice.id}`)).body.status).toBe('paid')
  })

  it('the admin saves billing settings; "balance now" makes Account balance the default Charge to', async () => {
    const k = await staffTestKit()
    const admin = await k.sessionOf(k.admin.id)
    const subscriberPage = `/subscribers/${k.subscriber.id}`
    const selected = async () =>
      /id="sell-charge-to"[\s\S]*?<option value="(\w+)" selected/.exec(
        (await admin.browser.get(subscriberPage)).html,
      )?.[1]
    expect(await selected()).toBe('invoice')
    const bad = await admin.post('/settings/billing', {
      paidTopUps: 'nonsense',
      operatorTopUps: 'balance_now',
    })
    expect(bad.status).toBe(303)
    expect((await k.call('GET', '/settings/billing')).body.paidTopUps).toBe('invoice')
    await admin.post('/settings/billing', { paidTopUps: 'proforma', operatorTopUps: 'balance_now' })
    expect((await k.call('GET', '/settings/billing')).body).toEqual({
      paidTopUps: 'proforma',
      operatorTopUps: 'balance_now',
    })
    expect(await selected()).toBe('balance')
  })
})
