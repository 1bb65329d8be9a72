import { describe, expect, it } from 'vitest'
import { refusalIn } from '../testing/field-marks.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

/** Anna, with auto top-up settings the operator chose (and may let her change). */
async function withSettings(customerMayChange: boolean, thresholdBytes = 1e9) {
  const k = await pagesKit()
  const put = await k.call('PUT', `/subscribers/${k.anna.id}/auto-topup`, {
    enabled: false,
    topUpPlanId: k.topUpPlan.id,
    maxPerPeriod: 3,
    thresholdBytes,
    customerMayChange,
  })
  expect(put.status).toBe(200)
  k.limitsChanged.length = 0
  return { k, browser: await k.browserFor(ANNA) }
}

const save = (form: Record<string, string>) => ({ topUpPlanId: 'x', maxPerPeriod: '2', ...form })

describe('auto top-up in the portal', () => {
  it('is neither shown nor accepted unless the operator allows it', async () => {
    const { k, browser } = await withSettings(false)
    expect((await browser.get('/portal')).html).not.toContain('Auto top-up enabled')
    const before = k.snapshot()
    const reply = await browser.submit(
      '/portal',
      '/portal/auto-topup',
      save({ enabled: 'on', topUpPlanId: k.topUpPlan.id }),
    )
    expect(reply.status).toBe(403)
    expect(reply.html).toContain('Your provider manages your auto top-up')
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })

  it('lets the customer switch it on, keeping the operator’s threshold and permission', async () => {
    const { k, browser } = await withSettings(true)
    const page = (await browser.get('/portal')).html
    expect(page).toContain('aria-labelledby="auto-topup-title"')
    expect(page).toContain('Auto top-up enabled')
    expect(page).toContain('Maximum per period')
    expect(page).toContain('Save auto top-up')
    const reply = await browser.submit(
      '/portal',
      '/portal/auto-topup',
      save({ enabled: 'on', topUpPlanId: k.topUpPlan.id, maxPerPeriod: '5' }),
    )
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/portal')
    expect(k.data.subscribers[k.anna.id]!.autoTopUp).toEqual({
      enabled: true,
      topUpPlanId: k.topUpPlan.id,
      maxPerPeriod: 5,
      thresholdBytes: 1e9,
      customerMayChange: true,
    })
    expect(k.limitsChanged).toEqual([k.anna.id])
    expect((await browser.get('/portal')).html).toContain('Auto top-up saved.')
    // And off again: an unticked box is not sent at all.
    await browser.submit('/portal', '/portal/auto-topup', save({ topUpPlanId: k.topUpPlan.id }))
    expect(k.data.subscribers[k.anna.id]!.autoTopUp?.enabled).toBe(false)
  })

  it('applies at once when switched on at the threshold, like the operator API', async () => {
    const { k, browser } = await withSettings(true, 105e9)
    await browser.submit(
      '/portal',
      '/portal/auto-topup',
      save({ enabled: 'on', topUpPlanId: k.topUpPlan.id }),
    )
    const auto = Object.values(k.data.topUps).filter((t) => t.source === 'auto')
    expect(auto).toHaveLength(1)
    expect(k.data.subscribers[k.anna.id]!.balance.amount).toBe(1500)
    expect((await browser.get('/portal')).html).toContain('10 GB were added right away')
  })

  it('refuses a maximum outside 1–10 or an unknown plan with a clear message, changing nothing', async () => {
    const { k, browser } = await withSettings(true)
    const before = k.snapshot()
    for (const maxPerPeriod of ['0', '11', '2.5', 'many', '']) {
      const reply = await browser.submit(
        '/portal',
        '/portal/auto-topup',
        save({ enabled: 'on', topUpPlanId: k.topUpPlan.id, maxPerPeriod }),
      )
      expect(reply.status).toBe(303)
      expect(refusalIn((await browser.get('/portal')).html)).toBe(
        'Maximum per period: Enter a whole number from 1 to 10.',
      )
    }
    // The refused form comes back with what was typed, on the next page only.
    await browser.submit('/portal', '/portal/auto-topup', save({ enabled: 'on', maxPerPeriod: '11' }))
    const refilled = (await browser.get('/portal')).html
    expect(refilled).toMatch(/id="auto-max"[^>]*value="11"/)
    expect(refilled).toMatch(/id="auto-enabled"[^>]*checked/)
    const fresh = (await browser.get('/portal')).html
    expect(fresh).toMatch(/id="auto-max"[^>]*value="3"/)
    expect(fresh).not.toMatch(/id="auto-enabled"[^>]*checked/)
    await browser.submit('/portal', '/portal/auto-topup', save({ enabled: 'on', topUpPlanId: 'tpp_nope' }))
    expect(refusalIn((await browser.get('/portal')).html)).toBe(
      'Top-up plan: That top-up plan is no longer on offer. Choose another one.',
    )
    expect(k.snapshot()).toBe(before)
  })

  it('lets the customer set a spend limit, keeping what the operator set and the form does not show', async () => {
    const { k, browser } = await withSettings(true)
    const operatorSet = {
      enabled: false,
      topUpPlanId: k.topUpPlan.id,
      maxPerPeriod: 3,
      trigger: { kind: 'percent_of_last', percent: 30 },
      minIntervalMs: 120_000,
      chargeTo: 'invoice',
      descriptionTemplate: '{plan} for {subscriber}',
      customerMayChange: true,
    }
    expect((await k.call('PUT', `/subscribers/${k.anna.id}/auto-topup`, operatorSet)).status).toBe(200)
    const page = (await browser.get('/portal')).html
    expect(page).toContain(
      'When 30% of your last top-up or less is left, a top-up is put on your next invoice.',
    )
    await browser.submit(
      '/portal',
      '/portal/auto-topup',
      save({ enabled: 'on', topUpPlanId: k.topUpPlan.id, spendCap: '12.50' }),
    )
    expect(k.data.subscribers[k.anna.id]!.autoTopUp).toEqual({
      ...operatorSet,
      enabled: true,
      maxPerPeriod: 2,
      spendCapPerPeriod: 1250,
    })
    expect((await browser.get('/portal')).html).toMatch(/id="auto-spend-cap"[^>]*value="12.50"/)
    // Emptied: no limit.
    await browser.submit(
      '/portal',
      '/portal/auto-topup',
      save({ enabled: 'on', topUpPlanId: k.topUpPlan.id }),
    )
    expect(k.data.subscribers[k.anna.id]!.autoTopUp?.spendCapPerPeriod).toBeUndefined()
  })

  it('refuses a spend limit that is not a positive amount, changing nothing', async () => {
    const { k, browser } = await withSettings(true)
    const before = k.snapshot()
    for (const spendCap of ['0', 'lots', '-5', '1.234']) {
      await browser.submit(
        '/portal',
        '/portal/auto-topup',
        save({ enabled: 'on', topUpPlanId: k.topUpPlan.id, spendCap }),
      )
      expect(refusalIn((await browser.get('/portal')).html), spendCap).toMatch(/^Spend limit per period: /)
    }
    expect(k.snapshot()).toBe(before)
  })
})
