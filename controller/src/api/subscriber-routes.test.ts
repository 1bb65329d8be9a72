import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

async function withPlanAndAgent() {
  const t = await testApp()
  const plan = (await t.call('POST', '/plans', { name: 'Basic', capBytes: 100e9, onCap: 'block' })).body
  const agent = (await t.call('POST', '/agents', { name: 'tower-1' })).body
  const subscriber = (overrides: Record<string, unknown> = {}) => ({
    name: 'Alice',
    login: 'alice',
    planId: plan.id,
    agentId: agent.id,
    address: '10.0.0.5',
    ...overrides,
  })
  return { ...t, plan, agent, subscriber }
}

describe('subscribers', () => {
  it('creates a subscriber and reads it back with usage for the current period', async () => {
    const { call, subscriber } = await withPlanAndAgent()
    const created = await call(
      'POST',
      '/subscribers',
      subscriber({ password: 'hunter22!', email: 'a@example.net' }),
    )
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      login: 'alice',
      address: '10.0.0.5',
      billingDay: 1,
      state: 'open',
      balance: { amount: 0, currency: 'USD' },
      usage: {
        usedBytes: 0,
        limitBytes: 100e9,
        periodStart: '2026-03-01T00:00:00.000Z',
        periodEnd: '2026-04-01T00:00:00.000Z',
      },
    })
    expect(JSON.stringify(created.body)).not.toContain('hunter22')
    expect(created.body.passwordHash).toBeUndefined()
    const read = await call('GET', `/subscribers/${created.body.id}`)
    expect(read.body).toEqual(created.body)
  })

  it('stores the canonical form of an IPv6 prefix', async () => {
    const { call, subscriber } = await withPlanAndAgent()
    const res = await call('POST', '/subscribers', subscriber({ address: '2001:DB8:0:0::/64' }))
    expect(res.status).toBe(201)
    expect(res.body.address).toBe('2001:db8::/64')
  })

  it('searches and pages through subscribers', async () => {
    const { call, subscriber } = await withPlanAndAgent()
    for (let i = 0; i < 7; i++) {
      const res = await call(
        'POST',
        '/subscribers',
        subscriber({ name: i % 2 ? `Bob ${i}` : `Carol ${i}`, login: `user${i}`, address: `10.0.1.${i}` }),
      )
      expect(res.status).toBe(201)
    }
    const first = await call('GET', '/subscribers?limit=3')
    expect(first.body.items.map((s: { login: string }) => s.login)).toEqual(['user0', 'user1', 'user2'])
    const second = await call('GET', `/subscribers?limit=3&cursor=${first.body.nextCursor}`)
    expect(second.body.items.map((s: { login: string }) => s.login)).toEqual(['user3', 'user4', 'user5'])
    const third = await call('GET', `/subscribers?limit=3&cursor=${second.body.nextCursor}`)
    expect(third.body.items.map((s: { login: string }) => s.login)).toEqual(['user6'])
    expect(third.body.nextCursor).toBeNull()
    const bobs = await call('GET', '/subscribers?q=bob')
    expect(bobs.body.items.map((s: { login: string }) => s.login)).toEqual(['user1', 'user3', 'user5'])
    expect((await call('GET', '/subscribers?q=10.0.1.4')).body.items).toHaveLength(1)
    expect((await call('GET', '/subscribers?state=blocked')).body.items).toHaveLength(0)
    expect((await call('GET', '/subscribers?state=open')).body.items).toHaveLength(7)
  })

  it.each([
    ['a missing field', { name: undefined }, 400, 'invalid_request'],
    ['a bad IP', { address: '10.0.0.300' }, 400, 'invalid_request'],
    ['a prefix with host bits', { address: '10.0.0.5/24' }, 400, 'invalid_request'],
    ['a bad billing day', { billingDay: 0 }, 400, 'invalid_request'],
    ['a bad email', { email: 'not-an-email' }, 400, 'invalid_request'],
    ['a short password', { password: 'short' }, 400, 'invalid_request'],
    ['an unknown plan', { planId: 'pln_nope' }, 422, 'invalid_reference'],
    ['an unknown agent', { agentId: 'agt_nope' }, 422, 'invalid_reference'],
  ])('refuses %s and changes nothing', async (_, overrides, status, code) => {
    const { call, snapshot, subscriber } = await withPlanAndAgent()
    const before = snapshot()
    const res = await call('POST', '/subscribers', subscriber(overrides))
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(snapshot()).toBe(before)
  })

  it('refuses a duplicate login (any case) and a duplicate address on one agent', async () => {
    const { call, snapshot, subscriber } = await withPlanAndAgent()
    expect((await call('POST', '/subscribers', subscriber())).status).toBe(201)
    const before = snapshot()
    const login = await call('POST', '/subscribers', subscriber({ login: 'ALICE', address: '10.0.0.6' }))
    expect(login.status).toBe(409)
    expect(login.body.error).toMatchObject({ code: 'conflict', message: 'login "ALICE" is taken' })
    const address = await call('POST', '/subscribers', subscriber({ login: 'bob' }))
    expect(address.status).toBe(409)
    expect(address.body.error.message).toContain('10.0.0.5 already belongs')
    expect(snapshot()).toBe(before)
  })

  it('refuses a subscriber on a retired plan', async () => {
    const { call, plan, subscriber } = await withPlanAndAgent()
    await call('POST', `/plans/${plan.id}/retire`)
    const res = await call('POST', '/subscribers', subscriber())
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('retired')
  })

  it('answers 404 for an unknown subscriber and 400 for a bad query', async () => {
    const { call } = await withPlanAndAgent()
    expect((await call('GET', '/subscribers/sub_nope')).body.error.code).toBe('not_found')
    const bad = await call('GET', '/subscribers?state=melted')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('state')
    expect((await call('GET', '/subscribers?limit=0')).status).toBe(400)
  })
})
