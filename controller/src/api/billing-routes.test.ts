import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

describe('top-ups', () => {
  it('a manual top-up raises the limit and issues an open invoice', async () => {
    const { call, seed } = await testApp()
    const { subscriber } = await seed()
    const res = await call('POST', `/subscribers/${subscriber.id}/topups`, { bytes: 2e9, price: usd(250) })
    expect(res.status).toBe(201)
    expect(res.body.topUp).toMatchObject({
      bytes: 2e9,
      price: usd(250),
      source: 'operator',
      chargeTo: 'invoice',
    })
    expect(res.body.topUp.expiresAt).toBe('2026-04-01T00:00:00.000Z')
    expect(res.body.invoice).toMatchObject({ number: 'INV-2026-000001', total: usd(250), status: 'open' })
    expect(res.body.usage.limitBytes).toBe(100e9 + 2e9)
    const read = await call('GET', `/subscribers/${subscriber.id}`)
    expect(read.body.usage.limitBytes).toBe(102e9)
    const invoices = await call('GET', `/subscribers/${subscriber.id}/invoices`)
    expect(invoices.body.items).toHaveLength(1)
    expect((await call('GET', `/invoices/${res.body.invoice.id}`)).body.number).toBe('INV-2026-000001')
    expect((await call('GET', `/subscribers/${subscriber.id}/topups`)).body.items[0].id).toBe(
      res.body.topUp.id,
    )
  })

  it('a plan top-up charged to the balance debits it, marks the invoice paid and writes the ledger', async () => {
    const { call, seed } = await testApp()
    const { subscriber, topUpPlan } = await seed()
    const paid = await call('POST', `/subscribers/${subscriber.id}/payments`, {
      amount: usd(1200),
      reference: 'cash',
    })
    expect(paid.status).toBe(201)
    expect(paid.body.balance).toEqual(usd(1200))
    const res = await call('POST', `/subscribers/${subscriber.id}/topups`, {
      topUpPlanId: topUpPlan.id,
      chargeTo: 'balance',
    })
    expect(res.status).toBe(201)
    expect(res.body.topUp).toMatchObject({ bytes: 10e9, price: usd(500), topUpPlanId: topUpPlan.id })
    expect(res.body.invoice).toMatchObject({ status: 'paid', paidWith: 'balance' })
    expect(res.body.balance).toEqual(usd(700))
    const ledger = await call('GET', `/subscribers/${subscriber.id}/ledger`)
    expect(
      ledger.body.items.map((l: { kind: string; amount: unknown; balanceAfter: unknown }) => [
        l.kind,
        l.amount,
        l.balanceAfter,
      ]),
    ).toEqual([
      ['payment', usd(1200), usd(1200)],
      ['topup_charge', usd(-500), usd(700)],
    ])
  })

  it('insufficient balance is a 402 that changes nothing', async () => {
    const { call, seed, snapshot } = await testApp()
    const { subscriber, topUpPlan } = await seed()
    await call('POST', `/subscribers/${subscriber.id}/payments`, { amount: usd(499) })
    const before = snapshot()
    const res = await call('POST', `/subscribers/${subscriber.id}/topups`, {
      topUpPlanId: topUpPlan.id,
      chargeTo: 'balance',
    })
    expect(res.status).toBe(402)
    expect(res.body.error).toEqual({
      code: 'insufficient_balance',
      message: 'balance is $4.99, the top-up costs $5.00',
    })
    expect(snapshot()).toBe(before)
  })

  it('a top-up with validity days expires before the period ends and leaves the limit', async () => {
    const { call, seed, clock } = await testApp()
    const { subscriber } = await seed()
    const res = await call('POST', `/subscribers/${subscriber.id}/topups`, {
      bytes: 1e9,
      price: usd(100),
      validityDays: 2,
    })
    expect(res.body.topUp.expiresAt).toBe('2026-03-12T12:00:00.000Z')
    clock.advance(2 * 86_400_000 - 1)
    expect((await call('GET', `/subscribers/${subscriber.id}`)).body.usage.limitBytes).toBe(101e9)
    clock.advance(1)
    expect((await call('GET', `/subscribers/${subscriber.id}`)).body.usage.limitBytes).toBe(100e9)
  })

  it('a top-up ends with its billing period', async () => {
    const { call, seed, clock } = await testApp()
    const { subscriber } = await seed()
    await call('POST', `/subscribers/${subscriber.id}/topups`, { bytes: 1e9, price: usd(100) })
    clock.set(Date.parse('2026-04-01T00:00:00Z'))
    const read = await call('GET', `/subscribers/${subscriber.id}`)
    expect(read.body.usage).toMatchObject({ limitBytes: 100e9, periodStart: '2026-04-01T00:00:00.000Z' })
  })

  it.each([
    ['negative bytes', { bytes: -1, price: usd(1) }, 400, 'invalid_request'],
    ['fractional bytes', { bytes: 1.5, price: usd(1) }, 400, 'invalid_request'],
    ['zero bytes', { bytes: 0, price: usd(1) }, 400, 'invalid_request'],
    ['float money', { bytes: 1e9, price: usd(2.5) }, 400, 'invalid_request'],
    ['money as a number', { bytes: 1e9, price: 2.5 }, 400, 'invalid_request'],
    ['a missing price', { bytes: 1e9 }, 400, 'invalid_request'],
    ['a wrong currency', { bytes: 1e9, price: { amount: 100, currency: 'EUR' } }, 422, 'currency_mismatch'],
    ['an unknown top-up plan', { topUpPlanId: 'tpp_nope' }, 422, 'invalid_reference'],
    ['both forms at once', { topUpPlanId: 'x', bytes: 1 }, 400, 'invalid_request'],
    ['a bad chargeTo', { bytes: 1e9, price: usd(1), chargeTo: 'mom' }, 400, 'invalid_request'],
    ['malformed JSON', '{"bytes": ', 400, 'invalid_json'],
  ])('refuses %s and changes nothing', async (_, body, status, code) => {
    const { call, seed, snapshot } = await testApp()
    const { subscriber } = await seed()
    const before = snapshot()
    const res = await call('POST', `/subscribers/${subscriber.id}/topups`, body)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(snapshot()).toBe(before)
  })

  it('refuses a top-up for an unknown subscriber or from a retired plan', async () => {
    const { call, seed, snapshot } = await testApp()
    const { subscriber, topUpPlan } = await seed()
    await call('POST', `/topup-plans/${topUpPlan.id}/retire`)
    const before = snapshot()
    const unknown = await call('POST', '/subscribers/sub_nope/topups', { bytes: 1e9, price: usd(1) })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('not_found')
    const retired = await call('POST', `/subscribers/${subscriber.id}/topups`, { topUpPlanId: topUpPlan.id })
    expect(retired.status).toBe(422)
    expect(retired.body.error.code).toBe('retired')
    expect(snapshot()).toBe(before)
  })
})

describe('payments, invoices and ledger', () => {
  it.each([
    ['zero', { amount: usd(0) }, 400, 'invalid_request'],
    ['float money', { amount: usd(10.5) }, 400, 'invalid_request'],
    ['a wrong currency', { amount: { amount: 100, currency: 'GBP' } }, 422, 'currency_mismatch'],
    ['an extra field', { amount: usd(100), bonus: true }, 400, 'invalid_request'],
  ])('refuses a payment of %s and changes nothing', async (_, body, status, code) => {
    const { call, seed, snapshot } = await testApp()
    const { subscriber } = await seed()
    const before = snapshot()
    const res = await call('POST', `/subscribers/${subscriber.id}/payments`, body)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(snapshot()).toBe(before)
  })

  it('answers 404 for lists of an unknown subscriber', async () => {
    const { call } = await testApp()
    for (const what of ['invoices', 'topups', 'ledger']) {
      const res = await call('GET', `/subscribers/sub_nope/${what}`)
      expect(res.status).toBe(404)
    }
    expect((await call('POST', '/subscribers/sub_nope/payments', { amount: usd(1) })).status).toBe(404)
    expect((await call('GET', '/invoices/inv_nope')).status).toBe(404)
  })
})

describe('auto top-up settings', () => {
  it('stores the settings and shows them on the subscriber', async () => {
    const { call, seed } = await testApp()
    const { subscriber, topUpPlan } = await seed()
    const res = await call('PUT', `/subscribers/${subscriber.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: topUpPlan.id,
      maxPerPeriod: 3,
    })
    expect(res.status).toBe(200)
    expect(res.body.autoTopUp).toEqual({ enabled: true, topUpPlanId: topUpPlan.id, maxPerPeriod: 3 })
    expect((await call('GET', `/subscribers/${subscriber.id}`)).body.autoTopUp.maxPerPeriod).toBe(3)
  })

  it.each([
    ['an unknown plan', { enabled: true, topUpPlanId: 'tpp_nope', maxPerPeriod: 1 }, 422],
    ['a zero maximum', { enabled: true, topUpPlanId: 'tpp_x', maxPerPeriod: 0 }, 400],
    ['a missing flag', { topUpPlanId: 'tpp_x', maxPerPeriod: 1 }, 400],
  ])('refuses %s and changes nothing', async (_, body, status) => {
    const { call, seed, snapshot } = await testApp()
    const { subscriber } = await seed()
    const before = snapshot()
    const res = await call('PUT', `/subscribers/${subscriber.id}/auto-topup`, body)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBeTypeOf('string')
    expect(snapshot()).toBe(before)
  })
})
