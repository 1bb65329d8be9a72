import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { type Reply, TEST_TOKEN, testApp } from '../testing/test-app.js'

describe('plans', () => {
  it('creates, lists, reads and retires a plan', async () => {
    const { call } = await testApp()
    const created = await call('POST', '/plans', { name: 'Basic', capBytes: 50_000_000_000, onCap: 'block' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ name: 'Basic', capBytes: 50_000_000_000, onCap: 'block' })
    expect(created.body.id).toMatch(/^pln_/)
    expect((await call('GET', '/plans')).body.items.map((p: { id: string }) => p.id)).toEqual([
      created.body.id,
    ])
    expect((await call('GET', `/plans/${created.body.id}`)).body.name).toBe('Basic')
    const retired = await call('POST', `/plans/${created.body.id}/retire`)
    expect(retired.status).toBe(200)
    expect(retired.body.retiredAt).toBe('2026-03-10T12:00:00.000Z')
  })

  it('creates a throttle plan with its rate', async () => {
    const { call } = await testApp()
    const res = await call('POST', '/plans', {
      name: 'Slow',
      capBytes: 1e9,
      onCap: 'throttle',
      throttleKbps: 512,
    })
    expect(res.status).toBe(201)
    expect(res.body.throttleKbps).toBe(512)
  })

  it.each([
    [{ capBytes: 1e9, onCap: 'block' }, 'name'],
    [{ name: 'x', capBytes: -1, onCap: 'block' }, 'capBytes'],
    [{ name: 'x', capBytes: 1.5, onCap: 'block' }, 'capBytes'],
    [{ name: 'x', capBytes: '1GB', onCap: 'block' }, 'capBytes'],
    [{ name: 'x', capBytes: 1e9, onCap: 'explode' }, 'onCap'],
    [{ name: 'x', capBytes: 1e9, onCap: 'throttle' }, 'throttleKbps'],
    [{ name: 'x', capBytes: 1e9, onCap: 'block', throttleKbps: 100 }, 'throttleKbps'],
    [{ name: 'x', capBytes: 1e9, onCap: 'block', extra: 1 }, 'extra'],
  ])('refuses %j (%s) and changes nothing', async (body, field) => {
    const { call, snapshot } = await testApp()
    const before = snapshot()
    const res = await call('POST', '/plans', body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(res.body.error.message).toContain(field)
    expect(snapshot()).toBe(before)
  })

  it('answers 404 for an unknown plan', async () => {
    const { call } = await testApp()
    const res = await call('GET', '/plans/pln_nope')
    expect(res.status).toBe(404)
    expect(res.body.error).toEqual({ code: 'not_found', message: 'plan pln_nope does not exist' })
  })
})

describe('top-up plans', () => {
  it('creates and lists a top-up plan with a price in minor units', async () => {
    const { call } = await testApp()
    const res = await call('POST', '/topup-plans', {
      name: '5 GB week pass',
      bytes: 5e9,
      price: { amount: 299, currency: 'USD' },
      validityDays: 7,
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ bytes: 5e9, price: { amount: 299, currency: 'USD' }, validityDays: 7 })
    expect((await call('GET', '/topup-plans')).body.items).toHaveLength(1)
    expect((await call('GET', `/topup-plans/${res.body.id}`)).status).toBe(200)
    expect((await call('POST', `/topup-plans/${res.body.id}/retire`)).body.retiredAt).toBeDefined()
  })

  it.each([
    [{ name: 'x', bytes: 0, price: { amount: 1, currency: 'USD' } }, 400, 'invalid_request'],
    [{ name: 'x', bytes: 1e9, price: { amount: 2.5, currency: 'USD' } }, 400, 'invalid_request'],
    [{ name: 'x', bytes: 1e9, price: { amount: -1, currency: 'USD' } }, 400, 'invalid_request'],
    [{ name: 'x', bytes: 1e9, price: { amount: 100, currency: 'usd' } }, 400, 'invalid_request'],
    [{ name: 'x', bytes: 1e9, price: { amount: 100, currency: 'EUR' } }, 422, 'currency_mismatch'],
    [{ name: 'x', bytes: 1e9, price: 100 }, 400, 'invalid_request'],
  ])('refuses %j with %i %s and changes nothing', async (body, status, code) => {
    const { call, snapshot } = await testApp()
    const before = snapshot()
    const res = await call('POST', '/topup-plans', body)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(snapshot()).toBe(before)
  })
})

/** A test app whose limitsChanged hook records what commits told it, from after seeding on. */
async function withSpy() {
  const t = await testApp()
  const pushed: string[][] = []
  const app = createApp({
    store: t.store,
    env: t.env,
    isAgentConnected: () => false,
    limitsChanged: (ids) => pushed.push([...ids]),
  })
  const patch = async (path: string, body: unknown) => {
    const res = await app.request(`/api/v1${path}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Reply['body'] }
  }
  const seed = async () => {
    const seeded = await t.seed()
    pushed.length = 0
    return seeded
  }
  return { ...t, seed, pushed, patch }
}

describe('editing a plan', () => {
  it('changes the cap of every subscriber on it, bumps their limit versions and pushes them', async () => {
    const { seed, call, patch, pushed, data } = await withSpy()
    const { plan, subscriber } = await seed()
    const other = (await call('POST', '/plans', { name: 'Other', capBytes: 1e9, onCap: 'block' })).body
    const versionBefore = data.subscribers[subscriber.id]!.limitVersion!
    const res = await patch(`/plans/${plan.id}`, { capBytes: 200e9, name: 'Basic 200 GB' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: plan.id, name: 'Basic 200 GB', capBytes: 200e9, onCap: 'block' })
    expect(pushed).toEqual([[subscriber.id]])
    expect((await call('GET', `/subscribers/${subscriber.id}`)).body.usage.limitBytes).toBe(200e9)
    expect(data.subscribers[subscriber.id]!.limitVersion).toBe(versionBefore + 1)
    expect((await call('GET', `/plans/${other.id}`)).body.capBytes).toBe(1e9)
    const [entry] = (await call('GET', '/audit')).body.items.filter(
      (a: { action: string }) => a.action === 'plan.update',
    )
    expect(entry).toMatchObject({ entityId: plan.id, data: { capBytes: 200e9, name: 'Basic 200 GB' } })
  })

  it('switches between block and throttle, keeping the rules of a new plan', async () => {
    const { seed, patch } = await withSpy()
    const { plan } = await seed()
    const noRate = await patch(`/plans/${plan.id}`, { onCap: 'throttle' })
    expect(noRate.status).toBe(400)
    expect(noRate.body.error.message).toContain('throttleKbps')
    const throttled = await patch(`/plans/${plan.id}`, { onCap: 'throttle', throttleKbps: 256 })
    expect(throttled.body).toMatchObject({ onCap: 'throttle', throttleKbps: 256 })
    expect((await patch(`/plans/${plan.id}`, { throttleKbps: 512 })).body.throttleKbps).toBe(512)
    const blocked = await patch(`/plans/${plan.id}`, { onCap: 'block' })
    expect(blocked.status).toBe(200)
    expect(blocked.body.throttleKbps).toBeUndefined()
  })

  it.each([
    [{}, 400, 'invalid_request', 'at least one field'],
    ['', 400, 'invalid_json', 'JSON'],
    [{ name: '' }, 400, 'invalid_request', 'name'],
    [{ capBytes: -1 }, 400, 'invalid_request', 'capBytes'],
    [{ capBytes: '1 GB' }, 400, 'invalid_request', 'capBytes'],
    [{ onCap: 'explode' }, 400, 'invalid_request', 'onCap'],
    [{ throttleKbps: 100 }, 400, 'invalid_request', 'throttleKbps'],
    [{ onCap: 'block', throttleKbps: 100 }, 400, 'invalid_request', 'throttleKbps'],
    [{ extra: 1 }, 400, 'invalid_request', 'extra'],
  ])('refuses %j with %i %s and changes nothing', async (body, status, code, text) => {
    const { seed, patch, snapshot, pushed } = await withSpy()
    const { plan } = await seed()
    const before = snapshot()
    const res = await patch(`/plans/${plan.id}`, body)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(res.body.error.message).toContain(text)
    expect(snapshot()).toBe(before)
    expect(pushed).toEqual([])
  })

  it('answers 404 for an unknown plan and 422 for a retired one', async () => {
    const { seed, call, patch, snapshot } = await withSpy()
    const { plan } = await seed()
    expect((await patch('/plans/pln_nope', { name: 'x' })).body.error.code).toBe('not_found')
    await call('POST', `/plans/${plan.id}/retire`)
    const before = snapshot()
    const res = await patch(`/plans/${plan.id}`, { name: 'x' })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('retired')
    expect(snapshot()).toBe(before)
  })
})

describe('editing a top-up plan', () => {
  it('changes what is sold from now on; top-ups already sold keep their terms', async () => {
    const { seed, call, patch } = await withSpy()
    const { topUpPlan, subscriber } = await seed()
    const sold = (await call('POST', `/subscribers/${subscriber.id}/topups`, { topUpPlanId: topUpPlan.id }))
      .body
    const res = await patch(`/topup-plans/${topUpPlan.id}`, {
      bytes: 20e9,
      price: { amount: 900, currency: 'USD' },
      validityDays: 7,
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ bytes: 20e9, price: { amount: 900, currency: 'USD' }, validityDays: 7 })
    const [kept] = (await call('GET', `/subscribers/${subscriber.id}/topups`)).body.items
    expect(kept).toEqual(sold.topUp)
    expect(kept).toMatchObject({ bytes: 10e9, price: { amount: 500, currency: 'USD' } })
    expect((await call('GET', `/subscribers/${subscriber.id}`)).body.usage.limitBytes).toBe(110e9)
    const cleared = await patch(`/topup-plans/${topUpPlan.id}`, { validityDays: null })
    expect(cleared.body.validityDays).toBeUndefined()
  })

  it.each([
    [{}, 400, 'invalid_request'],
    [{ bytes: 0 }, 400, 'invalid_request'],
    [{ price: { amount: 2.5, currency: 'USD' } }, 400, 'invalid_request'],
    [{ price: { amount: -1, currency: 'USD' } }, 400, 'invalid_request'],
    [{ price: { amount: 100, currency: 'EUR' } }, 422, 'currency_mismatch'],
    [{ validityDays: 0 }, 400, 'invalid_request'],
    [{ validityDays: 400 }, 400, 'invalid_request'],
    [{ extra: true }, 400, 'invalid_request'],
  ])('refuses %j with %i %s and changes nothing', async (body, status, code) => {
    const { seed, patch, snapshot } = await withSpy()
    const { topUpPlan } = await seed()
    const before = snapshot()
    const res = await patch(`/topup-plans/${topUpPlan.id}`, body)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(snapshot()).toBe(before)
  })

  it('answers 404 for an unknown top-up plan and 422 for a retired one', async () => {
    const { seed, call, patch } = await withSpy()
    const { topUpPlan } = await seed()
    expect((await patch('/topup-plans/tpp_nope', { name: 'x' })).status).toBe(404)
    await call('POST', `/topup-plans/${topUpPlan.id}/retire`)
    expect((await patch(`/topup-plans/${topUpPlan.id}`, { name: 'x' })).body.error.code).toBe('retired')
  })

  it('documents both edits in openapi.json', async () => {
    const { app } = await withSpy()
    const doc = (await (await app.request('/api/v1/openapi.json')).json()) as Reply['body']
    expect(doc.paths['/api/v1/plans/{id}'].patch.requestBody).toBeDefined()
    expect(doc.paths['/api/v1/topup-plans/{id}'].patch.requestBody).toBeDefined()
  })
})
