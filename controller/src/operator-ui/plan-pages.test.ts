import { describe, expect, it } from 'vitest'
import { BrowserCaller } from '../testing/browser-caller.js'
import { refusalIn } from '../testing/field-marks.js'
import { catalogTestKit, hasForm } from './catalog-test-kit.js'

const NEW = { name: 'Family 200 GB', capBytes: '200', capBytesUnit: 'GB', onCap: 'block', throttleKbps: '' }

describe('plans pages', () => {
  it('send a visitor to the login page', async () => {
    const k = await catalogTestKit()
    const visitor = new BrowserCaller(k.app)
    for (const path of ['/plans', `/plans/${k.plan.id}`, '/topup-plans', `/topup-plans/${k.topUpPlan.id}`]) {
      const page = await visitor.get(path)
      expect(page.status, path).toBe(303)
      expect(page.location).toBe(`/login?next=${encodeURIComponent(path)}`)
    }
    const before = k.snapshot()
    expect((await visitor.post('/plans', NEW)).status).toBe(303)
    expect(k.snapshot()).toBe(before)
  })

  it('lists the plans with an edit link and the new plan form', async () => {
    const k = await catalogTestKit()
    const { status, html } = await k.browser.get('/plans')
    expect(status).toBe(200)
    expect(html).toContain('<h1>Plans</h1>')
    expect(html).toContain('Basic 100 GB')
    expect(html).toContain(`<a href="/plans/${k.plan.id}">Edit</a>`)
    expect(html).toContain('<span class="badge active">active</span>')
    expect(hasForm(html, 'new-plan-title')).toBe(true)
    for (const label of [
      'Name',
      'Data cap',
      'At the cap',
      'Slow to (kbit/s)',
      'Counts',
      'Use first',
      'Create plan',
    ]) {
      expect(html).toContain(`>${label}<`)
    }
  })

  it('creates a plan from the form', async () => {
    const k = await catalogTestKit()
    const { reply, next } = await k.submit('/plans', NEW)
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/plans')
    expect(next?.html).toContain('Plan &quot;Family 200 GB&quot; created.')
    expect(next?.html).toContain('<td>Family 200 GB</td>')
    const created = Object.values(k.data.plans).find((p) => p.name === 'Family 200 GB')
    expect(created).toMatchObject({ capBytes: 200e9, onCap: 'block' })
    expect(created).not.toHaveProperty('throttleKbps')
  })

  it.each([
    [{ ...NEW, capBytes: 'lots' }, 'Data cap: Enter the data amount as a number'],
    [{ ...NEW, onCap: 'throttle' }, 'Slow to (kbit/s): Enter the speed'],
    [{ ...NEW, name: '' }, 'Name: Enter a name.'],
    [
      { ...NEW, onCap: 'explode' },
      'At the cap: Choose Block, Slow to a fixed speed or Slow to a % of the normal speed.',
    ],
  ])('refuses %j with a message and changes nothing', async (form, message) => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const { reply, next } = await k.submit('/plans', form)
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/plans')
    expect(next?.html).toContain('class="notice error" role="alert"')
    expect(refusalIn(next!.html)).toContain(message)
    expect(k.snapshot()).toBe(before)
  })

  it('pre-fills the edit form, and saving changes the cap of its subscribers at once', async () => {
    const k = await catalogTestKit()
    const page = await k.browser.get(`/plans/${k.plan.id}`)
    expect(page.html).toContain('<h1>Basic 100 GB</h1>')
    expect(hasForm(page.html, 'edit-plan-title')).toBe(true)
    expect(hasForm(page.html, 'retire-plan-title')).toBe(true)
    expect(page.html).toMatch(/name="capBytes" type="text" inputmode="decimal" value="100"/)
    expect(page.html).toMatch(/<option value="GB" selected/)
    expect(page.html).toContain('everyone on this plan at once (1 subscriber)')
    const { reply, next } = await k.submit(`/plans/${k.plan.id}`, {
      name: 'Basic 150 GB',
      capBytes: '150',
      capBytesUnit: 'GB',
      onCap: 'throttle',
      throttleKbps: '1024',
    })
    expect(reply.location).toBe(`/plans/${k.plan.id}`)
    expect(next?.html).toContain('Plan saved.')
    expect(next?.html).toContain('Slow to 1024 kbit/s')
    expect(k.limitsChanged).toEqual([[k.subscriber.id]])
    const sub = await k.call('GET', `/subscribers/${k.subscriber.id}`)
    expect(sub.body.usage.limitBytes).toBe(150e9)
    expect(k.data.subscribers[k.subscriber.id]!.limitTerms).toMatchObject({
      onCap: 'throttle',
      throttleKbps: 1024,
    })
  })

  it('refuses a bad edit and changes nothing', async () => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const { next } = await k.submit(`/plans/${k.plan.id}`, { ...NEW, onCap: 'throttle' })
    expect(refusalIn(next!.html)).toContain('Slow to (kbit/s): Enter the speed')
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })

  it('retires a plan: a badge, and no more editing', async () => {
    const k = await catalogTestKit()
    const { next } = await k.submit(`/plans/${k.plan.id}/retire`, {})
    expect(next?.html).toContain('Plan retired.')
    expect(next?.html).toContain('<span class="badge retired">retired</span>')
    expect(hasForm(next!.html, 'edit-plan-title')).toBe(false)
    expect(hasForm(next!.html, 'retire-plan-title')).toBe(false)
    expect((await k.browser.get('/plans')).html).toContain('<span class="badge retired">retired</span>')
    const before = k.snapshot()
    const edit = await k.submit(`/plans/${k.plan.id}`, NEW)
    expect(edit.next?.html).toContain('is retired and cannot be edited')
    expect(k.snapshot()).toBe(before)
  })

  it('answers 404 for an unknown plan', async () => {
    const k = await catalogTestKit()
    const page = await k.browser.get('/plans/pln_nope')
    expect(page.status).toBe(404)
    expect(page.html).toContain('plan pln_nope does not exist')
  })

  it.each([
    ['without the CSRF field', false, {}],
    ['with a wrong CSRF field', 'forged', {}],
    ['from another site', true, { 'sec-fetch-site': 'cross-site' }],
    ['with a foreign Origin', true, { origin: 'https://evil.example' }],
  ] as const)('refuses a post %s with 403 and changes nothing', async (_, csrf, headers) => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const form = csrf === false ? NEW : { ...NEW, _csrf: csrf === true ? k.csrf : csrf }
    for (const action of ['/plans', `/plans/${k.plan.id}`, `/plans/${k.plan.id}/retire`]) {
      expect((await k.browser.post(action, form, { headers })).status, action).toBe(403)
    }
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })
})
