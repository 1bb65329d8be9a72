import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

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
