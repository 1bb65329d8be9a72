import { describe, expect, it } from 'vitest'
import { refusalIn } from '../testing/field-marks.js'
import { catalogTestKit } from './catalog-test-kit.js'

const NEW = { name: 'Taxed', bytes: '5', bytesUnit: 'GB', price: '5.00', validityDays: '' }

describe('tax on the top-up plan form', () => {
  it('saves a rate added to the price and shows what the customer pays; an empty rate removes it', async () => {
    const k = await catalogTestKit()
    await k.submit('/topup-plans', { ...NEW, taxRatePercent: '16', taxInclusive: 'exclusive' })
    const plan = Object.values(k.data.topUpPlans).find((p) => p.name === 'Taxed')!
    expect(plan.tax).toEqual({ rateBp: 1600, inclusive: false })
    expect((await k.browser.get('/topup-plans')).html).toContain('$5.00 +16% tax (customer pays $5.80)')
    await k.submit(`/topup-plans/${plan.id}`, { ...NEW, taxRatePercent: '7.5', taxInclusive: 'inclusive' })
    expect(k.data.topUpPlans[plan.id]?.tax).toEqual({ rateBp: 750, inclusive: true })
    expect((await k.browser.get(`/topup-plans/${plan.id}`)).html).toContain('$5.00 incl. 7.5% VAT')
    await k.submit(`/topup-plans/${plan.id}`, { ...NEW, taxRatePercent: '', taxInclusive: 'inclusive' })
    expect(k.data.topUpPlans[plan.id]).not.toHaveProperty('tax')
  })

  it.each([
    ['abc', 'Tax rate (%): Enter a tax rate from 0 to 100 with at most 2 decimals'],
    ['16.555', 'Tax rate (%): Enter a tax rate from 0 to 100 with at most 2 decimals'],
    ['101', 'Tax rate (%): Enter a tax rate from 0 to 100 with at most 2 decimals'],
    ['-5', 'Tax rate (%): Enter a tax rate from 0 to 100 with at most 2 decimals'],
  ])('refuses the rate %j with a message naming the box, changing nothing', async (rate, message) => {
    const k = await catalogTestKit()
    const before = JSON.stringify(k.data.topUpPlans)
    const { next } = await k.submit('/topup-plans', {
      ...NEW,
      taxRatePercent: rate,
      taxInclusive: 'inclusive',
    })
    expect(refusalIn(next?.html ?? '')).toContain(message)
    expect(JSON.stringify(k.data.topUpPlans)).toBe(before)
  })
})
