import { describe, expect, it } from 'vitest'
import { ANNA, portalKit } from './portal-test-kit.js'

describe('portal offers with tax', () => {
  it('show the price the customer pays: tax added when the rate is not included', async () => {
    const k = await portalKit()
    const usd = (amount: number) => ({ amount, currency: 'USD' })
    const added = (
      await k.call('POST', '/topup-plans', {
        name: 'Plus tax',
        bytes: 1e9,
        price: usd(1000),
        tax: { ratePercent: 16, inclusive: false },
      })
    ).body
    const included = (
      await k.call('POST', '/topup-plans', {
        name: 'VAT in',
        bytes: 1e9,
        price: usd(1000),
        tax: { ratePercent: 16, inclusive: true },
      })
    ).body
    const { cookie } = await k.login(ANNA)
    const offers = (await k.portal('GET', '/portal/api/me', { cookie })).body.topUpPlans
    expect(offers.find((o: { id: string }) => o.id === added.id)).toMatchObject({
      price: usd(1160),
      taxIncluded: { ratePercent: 16 },
    })
    expect(offers.find((o: { id: string }) => o.id === included.id)).toMatchObject({
      price: usd(1000),
      taxIncluded: { ratePercent: 16 },
    })
    expect(offers.find((o: { id: string }) => o.id === k.topUpPlan.id)).not.toHaveProperty('taxIncluded')
  })
})
