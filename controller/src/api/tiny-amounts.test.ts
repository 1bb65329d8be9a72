import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

/** Each way the API takes a data amount, with `n` bytes in it. */
const sends = (ids: { plan: string; topUpPlan: string; subscriber: string }) =>
  [
    ['POST', '/plans', (n: number) => ({ name: 'p', capBytes: n, onCap: 'block' }), 'capBytes'],
    ['PATCH', `/plans/${ids.plan}`, (n: number) => ({ capBytes: n }), 'capBytes'],
    ['POST', '/topup-plans', (n: number) => ({ name: 't', bytes: n, price: usd(500) }), 'bytes'],
    ['PATCH', `/topup-plans/${ids.topUpPlan}`, (n: number) => ({ bytes: n }), 'bytes'],
    [
      'POST',
      `/subscribers/${ids.subscriber}/topups`,
      (n: number) => ({ bytes: n, price: usd(1000) }),
      'bytes',
    ],
  ] as const

describe('data amounts under 1 MB in the API', () => {
  it('are refused naming the field, changing nothing, unless allowTiny is set', async () => {
    const t = await testApp()
    const s = await t.seed()
    const ids = { plan: s.plan.id, topUpPlan: s.topUpPlan.id, subscriber: s.subscriber.id }
    // Random sizes under 1 MB, 0 where it is otherwise allowed, and the edge.
    const tiny = [999_999, 200, 1 + Math.floor(Math.random() * 999_998)]
    for (const [method, path, body, field] of sends(ids)) {
      for (const n of tiny) {
        const before = t.snapshot()
        const res = await t.call(method, path, body(n))
        expect(res.status, `${method} ${path} ${n}`).toBe(400)
        expect(res.body.error.code).toBe('invalid_request')
        expect(res.body.error.message).toMatch(new RegExp(`^${field}: `))
        expect(res.body.error.message).toMatch(/bytes/)
        expect(res.body.error.message).toMatch(/allowTiny/)
        expect(t.snapshot()).toBe(before)
      }
      const ok = await t.call(method, path, { ...body(999_999), allowTiny: true })
      expect(ok.status, `${method} ${path} allowTiny`).toBeLessThan(300)
      expect(JSON.stringify(ok.body)).not.toMatch(/allowTiny/)
      const big = await t.call(method, path, body(1_000_000))
      expect(big.status, `${method} ${path} 1 MB`).toBeLessThan(300)
    }
  })

  it('keeps allowTiny out of what is stored', async () => {
    const t = await testApp()
    await t.call('POST', '/plans', { name: 'p', capBytes: 5, onCap: 'block', allowTiny: true })
    await t.call('POST', '/topup-plans', { name: 't', bytes: 5, price: usd(1), allowTiny: true })
    expect(t.snapshot()).not.toMatch(/allowTiny/)
  })

  it('refuses an allowTiny that is not a boolean', async () => {
    const t = await testApp()
    const res = await t.call('POST', '/plans', { name: 'p', capBytes: 5, onCap: 'block', allowTiny: 'yes' })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/allowTiny/)
  })

  it('documents allowTiny in the OpenAPI document', async () => {
    const t = await testApp()
    // biome-ignore lint/suspicious/noExplicitAny: the document is checked by path
    const doc: any = await (await t.app.request('/api/v1/openapi.json')).json()
    for (const [path, method] of [
      ['/api/v1/plans', 'post'],
      ['/api/v1/plans/{id}', 'patch'],
      ['/api/v1/topup-plans', 'post'],
      ['/api/v1/topup-plans/{id}', 'patch'],
      ['/api/v1/subscribers/{id}/topups', 'post'],
    ] as const)
      expect(JSON.stringify(doc.paths[path][method]), `${method} ${path}`).toMatch(/allowTiny.*1 MB/)
  })
})
