import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

describe('operator API edges', () => {
  it('refuses a request without a token, with a wrong token, or with another scheme', async () => {
    const { app, snapshot } = await testApp()
    const before = snapshot()
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', 'Basic YWRtaW46YWRtaW4=']) {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (authorization) headers.authorization = authorization
      const res = await app.request('/api/v1/plans', {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'x', capBytes: 1, onCap: 'block' }),
      })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
    }
    expect(snapshot()).toBe(before)
  })

  it('refuses a body over the limit with 413 and changes nothing', async () => {
    const { call, snapshot } = await testApp({ bodyLimitBytes: 1024 })
    const before = snapshot()
    const res = await call('POST', '/plans', { name: 'x'.repeat(2000), capBytes: 1, onCap: 'block' })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
    expect(snapshot()).toBe(before)
  })

  it('answers unknown routes with a JSON 404', async () => {
    const { call } = await testApp()
    const res = await call('GET', '/nothing-here')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })

  it('sets security headers', async () => {
    const { call } = await testApp()
    const res = await call('GET', '/plans')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
  })

  it('writes every change to the audit log with who and when', async () => {
    const { call, seed } = await testApp()
    const { subscriber } = await seed()
    await call('POST', `/subscribers/${subscriber.id}/topups`, {
      bytes: 1e9,
      price: { amount: 1, currency: 'USD' },
    })
    const audit = await call('GET', '/audit?limit=10')
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual([
      'topup.create',
      'subscriber.create',
      'agent.enrol',
      'topup_plan.create',
      'plan.create',
      'staff.create',
      'api_token.create',
    ])
    expect(audit.body.items[0]).toMatchObject({
      actor: expect.stringMatching(/^token:tok_/),
      at: '2026-03-10T12:00:00.000Z',
    })
  })

  it('publishes an OpenAPI document listing every route with its body schema', async () => {
    const { app } = await testApp()
    const res = await app.request('/api/v1/openapi.json')
    expect(res.status).toBe(200)
    // biome-ignore lint/suspicious/noExplicitAny: the document is walked by hand below
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, any>> }
    expect(doc.openapi).toBe('3.1.0')
    for (const [path, method] of [
      ['/api/v1/plans', 'post'],
      ['/api/v1/topup-plans', 'post'],
      ['/api/v1/agents', 'post'],
      ['/api/v1/agents', 'get'],
      ['/api/v1/subscribers', 'post'],
      ['/api/v1/subscribers', 'get'],
      ['/api/v1/subscribers/{id}', 'get'],
      ['/api/v1/subscribers/{id}/topups', 'post'],
      ['/api/v1/subscribers/{id}/auto-topup', 'put'],
      ['/api/v1/subscribers/{id}/payments', 'post'],
      ['/api/v1/subscribers/{id}/invoices', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined()
    }
    const plan = doc.paths['/api/v1/plans']!.post.requestBody.content['application/json'].schema
    expect(plan.required).toEqual(expect.arrayContaining(['name', 'capBytes']))
    // What happens at the cap: `capAction`, or the older `onCap` (one of the two, so neither is required).
    expect(Object.keys(plan.properties)).toEqual(
      expect.arrayContaining(['onCap', 'capAction', 'count', 'drawOrder', 'rollover', 'freeHours']),
    )
    const topUp = doc.paths['/api/v1/subscribers/{id}/topups']!.post
    expect(topUp.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'Idempotency-Key'])
    const list = doc.paths['/api/v1/subscribers']!.get
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'state', 'limit', 'cursor']),
    )
  })
})
