import { describe, expect, it } from 'vitest'
import { refusalIn } from '../testing/field-marks.js'
import { catalogTestKit, hasForm } from './catalog-test-kit.js'

const NEW = { name: 'Week pass', bytes: '5', bytesUnit: 'GB', price: '2.99', validityDays: '7' }

describe('top-up plans pages', () => {
  it('lists the top-up plans with an edit link and the new top-up plan form', async () => {
    const k = await catalogTestKit()
    const { status, html } = await k.browser.get('/topup-plans')
    expect(status).toBe(200)
    expect(html).toContain('<h1>Top-up plans</h1>')
    expect(html).toContain(`<a href="/topup-plans/${k.topUpPlan.id}">Edit</a>`)
    expect(html).toContain('$5.00')
    expect(html).toContain('To the end of the billing period')
    expect(hasForm(html, 'new-topup-plan-title')).toBe(true)
    for (const label of ['Name', 'Data amount', 'Price', 'Valid for (days)', 'Create top-up plan']) {
      expect(html).toContain(`>${label}<`)
    }
    expect(html).toContain('Empty = to the end of the billing period it is bought in.')
  })

  it('creates a top-up plan from the form, with and without a validity', async () => {
    const k = await catalogTestKit()
    const { reply, next } = await k.submit('/topup-plans', NEW)
    expect(reply.location).toBe('/topup-plans')
    expect(next?.html).toContain('Top-up plan &quot;Week pass&quot; created.')
    expect(next?.html).toContain('7 days')
    await k.submit('/topup-plans', { ...NEW, name: 'Month pass', validityDays: '' })
    const plans = Object.values(k.data.topUpPlans)
    expect(plans.find((p) => p.name === 'Week pass')).toMatchObject({
      bytes: 5e9,
      price: { amount: 299, currency: 'USD' },
      validityDays: 7,
    })
    expect(plans.find((p) => p.name === 'Month pass')).not.toHaveProperty('validityDays')
  })

  it.each([
    [{ ...NEW, bytes: 'lots' }, 'Data amount: Enter the data amount as a number'],
    [{ ...NEW, bytes: '0', bytesUnit: 'MB' }, 'Data amount:'],
    [{ ...NEW, price: '2.999' }, 'Price:'],
    [{ ...NEW, price: '-1' }, 'Price:'],
    [{ ...NEW, validityDays: '1.5' }, 'Valid for (days): Enter a whole number'],
    [{ ...NEW, validityDays: '0' }, 'Valid for (days):'],
  ])('refuses %j with a message and changes nothing', async (form, message) => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const { next } = await k.submit('/topup-plans', form)
    expect(next?.html).toContain('class="notice error" role="alert"')
    expect(refusalIn(next!.html)).toContain(message)
    expect(k.snapshot()).toBe(before)
  })

  it('edits a top-up plan; top-ups already sold keep their terms', async () => {
    const k = await catalogTestKit()
    const sold = await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, {
      topUpPlanId: k.topUpPlan.id,
    })
    expect(sold.status).toBe(201)
    const topUpBefore = JSON.stringify(k.data.topUps)
    const page = await k.browser.get(`/topup-plans/${k.topUpPlan.id}`)
    expect(page.html).toMatch(/name="bytes" type="text" inputmode="decimal" value="10"/)
    expect(page.html).toMatch(/<option value="GB" selected/)
    expect(page.html).toContain('name="price" type="text" value="5.00"')
    const { next } = await k.submit(`/topup-plans/${k.topUpPlan.id}`, {
      ...NEW,
      name: '20 GB',
      bytes: '20',
      bytesUnit: 'GB',
    })
    expect(next?.html).toContain('Top-up plan saved.')
    expect(k.data.topUpPlans[k.topUpPlan.id]).toMatchObject({
      name: '20 GB',
      bytes: 20e9,
      price: { amount: 299, currency: 'USD' },
      validityDays: 7,
    })
    expect(JSON.stringify(k.data.topUps)).toBe(topUpBefore)
    expect((await k.call('GET', `/subscribers/${k.subscriber.id}`)).body.usage.limitBytes).toBe(110e9)
    // The whole form is sent: clearing the days means to the end of the period again.
    await k.submit(`/topup-plans/${k.topUpPlan.id}`, { ...NEW, validityDays: '' })
    expect(k.data.topUpPlans[k.topUpPlan.id]).not.toHaveProperty('validityDays')
  })

  it('retires a top-up plan: a badge, and no more editing', async () => {
    const k = await catalogTestKit()
    const { next } = await k.submit(`/topup-plans/${k.topUpPlan.id}/retire`, {})
    expect(next?.html).toContain('Top-up plan retired.')
    expect(next?.html).toContain('<span class="badge retired">retired</span>')
    expect(hasForm(next!.html, 'edit-topup-plan-title')).toBe(false)
    expect(hasForm(next!.html, 'retire-topup-plan-title')).toBe(false)
    const before = k.snapshot()
    const edit = await k.submit(`/topup-plans/${k.topUpPlan.id}`, NEW)
    expect(edit.next?.html).toContain('is retired and cannot be edited')
    expect(k.snapshot()).toBe(before)
  })

  it('refuses posts without the CSRF field or from another site', async () => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    for (const action of [
      '/topup-plans',
      `/topup-plans/${k.topUpPlan.id}`,
      `/topup-plans/${k.topUpPlan.id}/retire`,
    ]) {
      expect((await k.browser.post(action, NEW)).status, action).toBe(403)
      const crossSite = { headers: { 'sec-fetch-site': 'cross-site' } }
      expect((await k.browser.post(action, { ...NEW, _csrf: k.csrf }, crossSite)).status, action).toBe(403)
    }
    expect(k.snapshot()).toBe(before)
  })
})
