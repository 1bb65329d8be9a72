/**
 * The plan form's allowance terms over HTTP: a plan made with each term shows them in words and
 * stores them; an edit clears what is left empty and pushes the new terms; each bad box is refused
 * in plain words and nothing changes. And the ISP's default draw order in Settings.
 */
import { describe, expect, it } from 'vitest'
import { defaultDrawOrder } from '../domain/allowance-settings.js'
import { refusalIn } from '../testing/field-marks.js'
import { catalogTestKit } from './catalog-test-kit.js'

/** Every box of the form as a browser posts it (an unticked checkbox is not sent). */
const FULL: Record<string, string> = {
  name: 'Night owl',
  capBytes: '40',
  capBytesUnit: 'GB',
  count: 'down',
  onCap: 'throttle_percent',
  throttleKbps: '',
  throttlePercent: '10',
  rateDownKbps: '20000',
  rateUpKbps: '5000',
  drawOrder: 'topups_first',
  rolloverPlan: 'on',
  rolloverMaxBytes: '20',
  rolloverMaxBytesUnit: 'GB',
  rolloverPeriods: '2',
  freeFrom1: '23:00',
  freeTo1: '06:00',
  freeFrom2: '',
  freeTo2: '',
  freeFrom3: '12:00',
  freeTo3: '13:30',
  notifyAtPercent: '80, 100',
}

/** The same form with nothing but a block at the cap: every term left empty. */
const BARE: Record<string, string> = {
  ...FULL,
  count: 'both',
  onCap: 'block',
  throttlePercent: '',
  rateDownKbps: '',
  rateUpKbps: '',
  drawOrder: '',
  rolloverPlan: '',
  rolloverMaxBytes: '',
  rolloverPeriods: '1',
  freeFrom1: '',
  freeTo1: '',
  freeFrom3: '',
  freeTo3: '',
}

describe('plan terms in the operator form', () => {
  it('creates a plan with every term, shown in words on the list and the plan page', async () => {
    const k = await catalogTestKit()
    const { next } = await k.submit('/plans', FULL)
    expect(next?.html).toContain('Plan &quot;Night owl&quot; created.')
    const plan = Object.values(k.data.plans).find((p) => p.name === 'Night owl')!
    expect(plan).toMatchObject({
      count: 'down',
      capAction: { kind: 'throttle_percent', percent: 10 },
      onCap: 'throttle',
      throttleKbps: 2000,
      rateDownKbps: 20_000,
      rateUpKbps: 5_000,
      drawOrder: 'topups_first',
      rollover: { plan: true, topUps: false, maxBytes: 20e9, periods: 2 },
      freeHours: [
        { from: '23:00', to: '06:00' },
        { from: '12:00', to: '13:30' },
      ],
    })
    for (const text of ['Download only', 'Slow to 10 % of the normal speed (2000 kbit/s down, 500 up)']) {
      expect(next?.html).toContain(text)
    }
    const page = (await k.browser.get(`/plans/${plan.id}`)).html
    for (const text of [
      'Download only',
      '20000 kbit/s down, 5000 kbit/s up',
      '<dd>Top-ups</dd>',
      'Plan data, at most 20 GB, for 2 periods',
      '23:00–06:00, 12:00–13:30',
      // The edit form comes back with the choices made.
      '<option value="throttle_percent" selected',
      '<option value="down" selected',
      'name="freeTo2" type="time" value="13:30"',
    ]) {
      expect(page).toContain(text)
    }
  })

  it('an edit leaving the boxes empty clears the terms, and the subscribers get them at once', async () => {
    const k = await catalogTestKit()
    await k.submit(`/plans/${k.plan.id}`, { ...FULL, name: k.plan.name })
    expect(k.data.subscribers[k.subscriber.id]!.limitTerms).toMatchObject({
      onCap: 'throttle',
      throttleKbps: 2000,
      throttleUpKbps: 500,
      count: 'down',
    })
    const version = k.data.subscribers[k.subscriber.id]!.limitVersion!
    const { next } = await k.submit(`/plans/${k.plan.id}`, { ...BARE, name: k.plan.name })
    expect(next?.html).toContain('Plan saved.')
    const plan = k.data.plans[k.plan.id]!
    for (const key of ['rateDownKbps', 'rateUpKbps', 'drawOrder', 'rollover', 'freeHours', 'throttleKbps']) {
      expect(plan, key).not.toHaveProperty(key)
    }
    expect(plan).toMatchObject({ onCap: 'block', capAction: { kind: 'block' }, count: 'both' })
    expect(k.data.subscribers[k.subscriber.id]!.limitVersion).toBe(version + 1)
    expect(k.limitsChanged.at(-1)).toEqual([k.subscriber.id])
    expect(next?.html).toContain('Plan data (the ISP&#39;s default)')
  })

  it.each([
    [{ rateDownKbps: '' }, 'Normal speed, download (kbit/s): Enter the normal download speed'],
    [{ throttlePercent: '100' }, 'Slow to (% of the normal speed): Enter a whole percentage from 1 to 99'],
    [{ throttlePercent: '' }, 'Slow to (% of the normal speed): Enter a whole percentage'],
    [{ rateUpKbps: 'fast' }, 'Normal speed, upload (kbit/s): Enter a whole number'],
    [{ onCap: 'throttle', throttleKbps: '0' }, 'Slow to (kbit/s): Enter the speed'],
    [{ count: 'sideways' }, 'Counts: Choose what counts'],
    [{ drawOrder: 'random' }, 'Use first: Choose plan data, top-ups'],
    [
      { rolloverPeriods: '0' },
      'Rolled-over data lasts (periods): Enter a whole number of periods from 1 to 24.',
    ],
    [{ rolloverMaxBytes: 'lots' }, 'Roll over at most: Enter the data amount as a number'],
    [{ freeFrom2: '05:00', freeTo2: '07:00' }, 'Free hours 2: from: Free hours must not overlap'],
    [{ freeFrom2: '08:00', freeTo2: '08:00' }, 'Free hours 2: to: A window must end at another time'],
    [{ freeFrom2: '8 am', freeTo2: '09:00' }, 'Free hours 2: from: Enter a time of day as HH:MM'],
    [{ freeFrom2: '08:00' }, 'Free hours 2: to: Enter a time of day as HH:MM'],
  ])('refuses %j with a message beside the box and changes nothing', async (bad, message) => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const { next } = await k.submit('/plans', { ...FULL, ...bad })
    expect(next?.html).toContain('class="notice error" role="alert"')
    expect(refusalIn(next!.html)).toContain(message)
    expect(k.snapshot()).toBe(before)
  })
})

describe("the ISP's default draw order", () => {
  it('is set in Settings, shown on plans without their own, and read and set through the API', async () => {
    const k = await catalogTestKit()
    expect((await k.browser.get('/settings')).html).toContain('href="/settings/allowance"')
    const page = await k.browser.get('/settings/allowance')
    expect(page.html).toContain('<option value="plan_first" selected')
    const { next } = await k.submit('/settings/allowance', { drawOrder: 'topups_first' })
    expect(next?.html).toContain('Allowance settings saved.')
    expect(await k.store.peek((tx) => defaultDrawOrder(tx))).toBe('topups_first')
    expect((await k.browser.get(`/plans/${k.plan.id}`)).html).toContain('Top-ups (the ISP&#39;s default)')

    const before = k.snapshot()
    const refused = await k.submit('/settings/allowance', { drawOrder: 'random' })
    expect(refusalIn(refused.next!.html)).toContain('Use first: Choose plan data or top-ups.')
    expect(k.snapshot()).toBe(before)

    expect((await k.call('GET', '/settings/allowance')).body).toEqual({ drawOrder: 'topups_first' })
    const bad = await k.call('PUT', '/settings/allowance', { drawOrder: 'sometimes' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('drawOrder')
    expect(k.snapshot()).toBe(before)
    const put = await k.call('PUT', '/settings/allowance', { drawOrder: 'plan_first' })
    expect(put.body).toEqual({ drawOrder: 'plan_first' })
    const [entry] = (await k.call('GET', '/audit')).body.items.filter(
      (a: { action: string }) => a.action === 'settings.allowance',
    )
    expect(entry).toMatchObject({ data: { drawOrder: 'plan_first' } })
  })
})
