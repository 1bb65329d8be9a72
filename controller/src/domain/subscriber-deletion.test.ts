import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { pruneRetained } from './retention.js'
import { ERASED_NAME } from './subscriber-deletion.js'

const DAY = 86_400_000
const RETENTION = 30 * DAY

describe('a deleted subscriber after the retention', () => {
  it('loses its personal data, keeps its books, and frees its login; once', async () => {
    const t = await testApp()
    const { subscriber, topUpPlan } = await t.seed()
    const id = subscriber.id as string
    await t.call('PATCH', `/subscribers/${id}`, {
      email: 'alice@example.net',
      phone: '+15551234567',
      postalAddress: '1 Main St\nSpringfield',
      notes: 'Pays late',
      password: 'alice-secret-1',
    })
    await t.call('POST', `/subscribers/${id}/payments`, { amount: { amount: 900, currency: 'USD' } })
    await t.call('POST', `/subscribers/${id}/topups`, { topUpPlanId: topUpPlan.id, chargeTo: 'balance' })
    await t.call('POST', `/subscribers/${id}/suspend`, { reason: 'Unpaid invoice of Alice' })
    await t.call('DELETE', `/subscribers/${id}`)
    const books = () =>
      JSON.stringify([t.data.topUps, t.data.invoices, t.data.payments, t.data.ledger, t.data.usagePeriods])
    const kept = books()
    const prune = () => t.store.transact((tx) => pruneRetained(tx, t.env, RETENTION))

    t.clock.advance(RETENTION - 1)
    await prune()
    expect(t.data.subscribers[id]).toMatchObject({ name: 'Alice', login: 'alice', phone: '+15551234567' })

    t.clock.advance(2)
    await prune()
    const erased = t.data.subscribers[id]!
    expect(erased).toMatchObject({ id, name: ERASED_NAME, login: `deleted-${id}`, balance: { amount: 400 } })
    for (const field of [
      'email',
      'phone',
      'postalAddress',
      'notes',
      'passwordHash',
      'suspension',
      'autoTopUp',
    ]) {
      expect(erased, field).not.toHaveProperty(field)
    }
    expect(JSON.stringify(erased)).not.toMatch(/Alice|alice@|5551234567|Springfield|Pays late/)
    expect(books()).toBe(kept)

    const snapshot = t.snapshot()
    await prune()
    expect(t.snapshot()).toBe(snapshot)

    const reused = await t.call('POST', '/subscribers', {
      name: 'Another Alice',
      login: 'alice',
      planId: subscriber.planId,
      agentId: subscriber.agentId,
      address: '10.0.0.5',
    })
    expect(reused.status).toBe(201)
  })

  it('leaves live subscribers alone, however old', async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    t.clock.advance(10 * RETENTION)
    await t.store.transact((tx) => pruneRetained(tx, t.env, RETENTION))
    expect(t.data.subscribers[subscriber.id]).toMatchObject({ name: 'Alice', login: 'alice' })
  })
})
