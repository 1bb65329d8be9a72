import { describe, expect, it } from 'vitest'
import { invoiceKit, key, usd } from './invoice-test-kit.js'

const plan = (tax: unknown) => ({ name: '5 GB', bytes: 5e9, price: usd(1000), tax })

describe('tax on top-up plans', () => {
  it('an exclusive rate adds tax to the price; the invoice shows net, rate, tax and total', async () => {
    const k = await invoiceKit()
    const created = await k.call('POST', '/topup-plans', plan({ ratePercent: 16, inclusive: false }))
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ tax: { ratePercent: 16, inclusive: false }, grossPrice: usd(1160) })
    const res = await k.call(
      'POST',
      `/subscribers/${k.subscriber.id}/topups`,
      { topUpPlanId: created.body.id },
      key(),
    )
    expect(res.body.invoice).toMatchObject({ net: usd(1000), tax: usd(160), total: usd(1160) })
    expect(res.body.invoice.lines[0]).toMatchObject({
      net: usd(1000),
      taxRatePercent: 16,
      tax: usd(160),
      amount: usd(1160),
    })
  })

  it('an inclusive rate splits the price, rounding half up to the minor unit', async () => {
    const k = await invoiceKit()
    const created = await k.call('POST', '/topup-plans', plan({ ratePercent: 7.5, inclusive: true }))
    const res = await k.call(
      'POST',
      `/subscribers/${k.subscriber.id}/topups`,
      { topUpPlanId: created.body.id },
      key(),
    )
    // 1000 / 1.075 = 930.23 → 930 net, 70 tax.
    expect(res.body.invoice).toMatchObject({ net: usd(930), tax: usd(70), total: usd(1000) })
  })

  it('a rate can be changed and removed (null) by PATCH; old invoices keep theirs', async () => {
    const k = await invoiceKit()
    const { id } = (await k.call('POST', '/topup-plans', plan({ ratePercent: 16, inclusive: true }))).body
    const first = await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: id }, key())
    const cleared = await k.call('PATCH', `/topup-plans/${id}`, { tax: null })
    expect(cleared.body.tax).toBeNull()
    const second = await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: id }, key())
    expect(second.body.invoice.tax).toEqual(usd(0))
    expect((await k.invoice(first.body.invoice.id)).lines[0].taxRatePercent).toBe(16)
  })

  it.each([
    [{ ratePercent: 16.555, inclusive: true }, 'at most 2 decimals'],
    [{ ratePercent: 101, inclusive: true }, 'between 0 and 100'],
    [{ ratePercent: -1, inclusive: true }, 'between 0 and 100'],
    [{ ratePercent: '16', inclusive: true }, 'tax.ratePercent'],
    [{ ratePercent: 16 }, 'tax.inclusive'],
    [{ ratePercent: 16, inclusive: true, rateBp: 1 }, 'tax'],
  ])('refuses %j and changes nothing', async (tax, message) => {
    const k = await invoiceKit()
    const before = k.snapshot()
    const res = await k.call('POST', '/topup-plans', plan(tax))
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain(message)
    expect(k.snapshot()).toBe(before)
  })
})
