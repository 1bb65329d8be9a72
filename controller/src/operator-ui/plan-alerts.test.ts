import { describe, expect, it } from 'vitest'
import { fieldMarksIn, refusalIn } from '../testing/field-marks.js'
import { testApp } from '../testing/test-app.js'
import { catalogTestKit } from './catalog-test-kit.js'

const PLAN = { name: 'Basic', capBytes: 1e9, onCap: 'block' }
const FORM = { name: 'Family 200 GB', capBytes: '200', capBytesUnit: 'GB', onCap: 'block', throttleKbps: '' }

describe("a plan's usage alerts (notifyAtPercent)", () => {
  it('the API keeps them sorted, shows the defaults when none were given, and edits them', async () => {
    const { call } = await testApp()
    const plain = await call('POST', '/plans', PLAN)
    expect(plain.body.notifyAtPercent).toEqual([80, 100])
    const created = await call('POST', '/plans', { ...PLAN, notifyAtPercent: [100, 50, 90] })
    expect(created.status).toBe(201)
    expect(created.body.notifyAtPercent).toEqual([50, 90, 100])
    const none = await call('PATCH', `/plans/${created.body.id}`, { notifyAtPercent: [] })
    expect(none.status).toBe(200)
    expect(none.body.notifyAtPercent).toEqual([])
    const renamed = await call('PATCH', `/plans/${created.body.id}`, { name: 'Other' })
    expect(renamed.body.notifyAtPercent).toEqual([])
  })

  it.each([
    [[0], 'from 1 to 100'],
    [[101], 'from 1 to 100'],
    [[50.5], 'whole'],
    [[80, 80], 'twice'],
    [Array.from({ length: 11 }, (_, i) => i + 1), 'at most 10'],
    ['80, 100', 'notifyAtPercent'],
  ])('refuses %j with a clear error and changes nothing', async (notifyAtPercent, words) => {
    const { call, snapshot } = await testApp()
    const plan = (await call('POST', '/plans', PLAN)).body
    const before = snapshot()
    for (const [method, path, body] of [
      ['POST', '/plans', { ...PLAN, notifyAtPercent }],
      ['PATCH', `/plans/${plan.id}`, { notifyAtPercent }],
    ] as const) {
      const res = await call(method, path, body)
      expect(res.status, method).toBe(400)
      expect(res.body.error.message).toContain('notifyAtPercent')
      expect(res.body.error.message).toContain(words)
    }
    expect(snapshot()).toBe(before)
  })

  it('the OpenAPI document describes the field', async () => {
    const { app } = await testApp()
    // biome-ignore lint/suspicious/noExplicitAny: the document is read field by field
    const doc: any = await (await app.request('/api/v1/openapi.json')).json()
    const body = doc.paths['/api/v1/plans'].post.requestBody.content['application/json'].schema
    expect(body.properties.notifyAtPercent).toMatchObject({
      type: 'array',
      maxItems: 10,
      items: { type: 'integer', minimum: 1, maximum: 100 },
    })
  })

  it('the plan form reads "80, 100", an empty box as none, and shows them on the pages', async () => {
    const k = await catalogTestKit()
    expect((await k.browser.get('/plans')).html).toMatch(/name="notifyAtPercent" type="text" value="80, 100"/)
    await k.submit('/plans', { ...FORM, notifyAtPercent: '100, 50%  90' })
    const created = Object.values(k.data.plans).find((p) => p.name === FORM.name)!
    expect(created.notifyAtPercent).toEqual([50, 90, 100])
    const page = await k.browser.get(`/plans/${created.id}`)
    expect(page.html).toContain('50 %, 90 %, 100 %')
    expect(page.html).toMatch(/name="notifyAtPercent" type="text" value="50, 90, 100"/)
    await k.submit(`/plans/${created.id}`, { ...FORM, notifyAtPercent: '' })
    expect(k.data.plans[created.id]!.notifyAtPercent).toEqual([])
    expect((await k.browser.get(`/plans/${created.id}`)).html).toContain('<dd>None</dd>')
  })

  it.each([
    ['eighty', 'Enter whole percentages from 1 to 100'],
    ['0, 50', 'Enter whole percentages from 1 to 100'],
    ['50, 50', 'List each percentage once.'],
    ['1,2,3,4,5,6,7,8,9,10,11', 'List at most 10 percentages.'],
  ])('refuses "%s" beside the field and changes nothing', async (text, message) => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const { next } = await k.submit('/plans', { ...FORM, notifyAtPercent: text })
    expect(refusalIn(next!.html)).toContain(`Usage alerts at (%): ${message}`)
    expect(fieldMarksIn(next!.html)).toEqual([
      { name: 'notifyAtPercent', label: 'Usage alerts at (%)', message: expect.stringContaining(message) },
    ])
    expect(k.snapshot()).toBe(before)
  })
})
