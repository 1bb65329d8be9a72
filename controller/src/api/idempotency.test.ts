import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

describe('Idempotency-Key on top-ups and payments', () => {
  it('the same key and body again returns the same answer and applies nothing twice', async () => {
    const { call, seed, data } = await testApp()
    const { subscriber } = await seed()
    const body = { bytes: 1e9, price: usd(100) }
    const first = await call('POST', `/subscribers/${subscriber.id}/topups`, body, {
      'Idempotency-Key': 'k-1',
    })
    const again = await call('POST', `/subscribers/${subscriber.id}/topups`, body, {
      'Idempotency-Key': 'k-1',
    })
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(first.headers.get('Idempotent-Replayed')).toBeNull()
    expect(Object.keys(data.topUps)).toHaveLength(1)
    expect(Object.keys(data.invoices)).toHaveLength(1)
  })

  it('the same key with another body is refused and changes nothing', async () => {
    const { call, seed, snapshot } = await testApp()
    const { subscriber } = await seed()
    await call(
      'POST',
      `/subscribers/${subscriber.id}/topups`,
      { bytes: 1e9, price: usd(100) },
      { 'Idempotency-Key': 'k' },
    )
    const before = snapshot()
    const res = await call(
      'POST',
      `/subscribers/${subscriber.id}/topups`,
      { bytes: 2e9, price: usd(100) },
      { 'Idempotency-Key': 'k' },
    )
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('idempotency_key_reused')
    expect(snapshot()).toBe(before)
  })

  it('20 concurrent requests with one key make exactly one top-up and one invoice', async () => {
    const { call, seed, data } = await testApp()
    const { subscriber, topUpPlan } = await seed()
    await call('POST', `/subscribers/${subscriber.id}/payments`, { amount: usd(5000) })
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(
          'POST',
          `/subscribers/${subscriber.id}/topups`,
          { topUpPlanId: topUpPlan.id, chargeTo: 'balance' },
          { 'Idempotency-Key': 'burst' },
        ),
      ),
    )
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201))
    expect(new Set(replies.map((r) => r.body.topUp.id)).size).toBe(1)
    expect(replies.filter((r) => r.headers.get('Idempotent-Replayed') === null)).toHaveLength(1)
    expect(Object.keys(data.topUps)).toHaveLength(1)
    expect(Object.keys(data.invoices)).toHaveLength(1)
    expect(data.subscribers[subscriber.id]!.balance).toEqual(usd(4500))
  })

  it('a refused request keeps no record, so a retry with the same key can succeed', async () => {
    const { call, seed } = await testApp()
    const { subscriber, topUpPlan } = await seed()
    const body = { topUpPlanId: topUpPlan.id, chargeTo: 'balance' }
    const headers = { 'Idempotency-Key': 'retry-me' }
    expect((await call('POST', `/subscribers/${subscriber.id}/topups`, body, headers)).status).toBe(402)
    await call('POST', `/subscribers/${subscriber.id}/payments`, { amount: usd(500) })
    expect((await call('POST', `/subscribers/${subscriber.id}/topups`, body, headers)).status).toBe(201)
  })

  it('keys are remembered for the configured time, then forgotten', async () => {
    const { call, seed, clock, data } = await testApp()
    const { subscriber } = await seed()
    const body = { bytes: 1e9, price: usd(100) }
    const headers = { 'Idempotency-Key': 'day' }
    await call('POST', `/subscribers/${subscriber.id}/topups`, body, headers)
    clock.advance(24 * 3600_000 - 1)
    await call('POST', `/subscribers/${subscriber.id}/topups`, body, headers)
    expect(Object.keys(data.topUps)).toHaveLength(1)
    clock.advance(1)
    await call('POST', `/subscribers/${subscriber.id}/topups`, body, headers)
    expect(Object.keys(data.topUps)).toHaveLength(2)
  })

  it('payments honour the key too, and a bad key is refused', async () => {
    const { call, seed, data } = await testApp()
    const { subscriber } = await seed()
    for (let i = 0; i < 3; i++) {
      await call(
        'POST',
        `/subscribers/${subscriber.id}/payments`,
        { amount: usd(100) },
        { 'Idempotency-Key': 'p' },
      )
    }
    expect(data.subscribers[subscriber.id]!.balance).toEqual(usd(100))
    const bad = await call(
      'POST',
      `/subscribers/${subscriber.id}/payments`,
      { amount: usd(100) },
      {
        'Idempotency-Key': 'has space',
      },
    )
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_idempotency_key')
    expect(data.subscribers[subscriber.id]!.balance).toEqual(usd(100))
  })
})
