import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { portalLoginStatus } from '../testing/portal-login.js'
import { type Reply, TEST_TOKEN, type TestAppOptions, testApp } from '../testing/test-app.js'

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

/** A test app whose limitsChanged hook records what it was told, with a second agent and a top-up plan. */
async function forEditing(options: TestAppOptions = {}) {
  const t = await testApp(options)
  const { plan, agent, subscriber, topUpPlan } = await t.seed()
  const other = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  const bigger = (await t.call('POST', '/plans', { name: 'Big', capBytes: 200e9, onCap: 'block' })).body
  const pushed: string[][] = []
  const app = createApp({
    store: t.store,
    env: t.env,
    isAgentConnected: () => false,
    limitsChanged: (ids) => pushed.push([...ids]),
  })
  const patch = async (body: unknown, id: string = subscriber.id) => {
    const res = await app.request(`/api/v1/subscribers/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Reply['body'] }
  }
  const row = () => t.data.subscribers[subscriber.id]!
  const audits = () => t.data.audit.filter((a) => a.action === 'subscriber.update')
  return { ...t, app, plan, agent, other, bigger, subscriber, topUpPlan, pushed, patch, row, audits }
}

describe('editing a subscriber', () => {
  it('moves it to another plan: the limit and its version change at once, and the hub is told', async () => {
    const t = await forEditing()
    const versionBefore = t.row().limitVersion!
    const res = await t.patch({ planId: t.bigger.id, name: 'Alice Smith', email: 'alice@example.net' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      id: t.subscriber.id,
      name: 'Alice Smith',
      login: 'alice',
      email: 'alice@example.net',
      planId: t.bigger.id,
      usage: { limitBytes: 200e9 },
    })
    expect(t.pushed).toEqual([[t.subscriber.id]])
    expect(t.row().limitVersion).toBe(versionBefore + 1)
    expect((await t.call('GET', `/subscribers/${t.subscriber.id}`)).body).toEqual(res.body)
    expect(t.audits()).toEqual([
      expect.objectContaining({
        entityId: t.subscriber.id,
        actor: expect.stringMatching(/^token:/),
        data: { planId: t.bigger.id, name: 'Alice Smith', email: 'alice@example.net' },
      }),
    ])
    // null removes the e-mail address.
    expect((await t.patch({ email: null })).body.email).toBeUndefined()
    expect(t.row()).not.toHaveProperty('email')
  })

  it('sets a new portal password: the old one stops working, its sessions end, and no audit holds it', async () => {
    const t = await forEditing()
    await t.patch({ password: 'first-secret-1' })
    expect(await portalLoginStatus(t.app, 'alice', 'first-secret-1')).toBe(200)
    const live = () => Object.values(t.data.portalSessions).filter((s) => s.endedAtMs === undefined)
    expect(live()).toHaveLength(1)
    const hashBefore = t.row().passwordHash!

    const res = await t.patch({ password: 'second-secret-2' })
    expect(res.status).toBe(200)
    expect(live()).toHaveLength(0)
    expect(await portalLoginStatus(t.app, 'alice', 'first-secret-1')).toBe(401)
    expect(await portalLoginStatus(t.app, 'alice', 'second-secret-2')).toBe(200)
    // Another field alone keeps the password.
    await t.patch({ name: 'Alice S.' })
    expect(await portalLoginStatus(t.app, 'alice', 'second-secret-2')).toBe(200)

    const audited = JSON.stringify(t.audits())
    for (const secret of ['first-secret-1', 'second-secret-2', hashBefore, t.row().passwordHash!]) {
      expect(audited).not.toContain(secret)
    }
    expect(t.audits().map((a) => a.data)).toEqual([
      { passwordChanged: true },
      { passwordChanged: true },
      { name: 'Alice S.' },
    ])
  })

  it('changes nothing, and names no subscriber to the hub, when every field is as it is', async () => {
    const t = await forEditing()
    const before = t.snapshot()
    const res = await t.patch({ name: 'Alice', planId: t.plan.id, agentId: t.agent.id, address: '10.0.0.5' })
    expect(res.status).toBe(200)
    expect(t.snapshot()).toBe(before)
    expect(t.pushed).toEqual([])
  })

  it('keeps a retired plan and a revoked agent the subscriber is already on, but puts nobody new there', async () => {
    const t = await forEditing()
    await t.call('POST', `/plans/${t.plan.id}/retire`)
    await t.call('POST', `/agents/${t.agent.id}/revoke`)
    const kept = await t.patch({ name: 'Alice Smith', planId: t.plan.id, agentId: t.agent.id })
    expect(kept.status).toBe(200)
    expect(kept.body).toMatchObject({ planId: t.plan.id, agentId: t.agent.id })
    // Off the revoked agent, onto a live one: the way to rescue its subscribers.
    const moved = await t.patch({ agentId: t.other.id })
    expect(moved.status).toBe(200)
    const before = t.snapshot()
    const back = await t.patch({ agentId: t.agent.id })
    expect(back.status).toBe(422)
    expect(back.body.error).toMatchObject({
      code: 'revoked',
      details: [{ path: 'agentId', message: '"tower-1" is revoked' }],
    })
    expect(t.snapshot()).toBe(before)
  })

  it('moves it to another agent: recorded as a former agent, with a new limit version', async () => {
    const t = await forEditing()
    const versionBefore = t.row().limitVersion!
    const res = await t.patch({ agentId: t.other.id })
    expect(res.status).toBe(200)
    expect(res.body.agentId).toBe(t.other.id)
    expect(t.row().formerAgentIds).toEqual([t.agent.id])
    expect(t.row().limitVersion).toBe(versionBefore + 1)
    expect(t.pushed).toEqual([[t.subscriber.id]])
    // Back again: the agent it is on is no former one.
    await t.patch({ agentId: t.agent.id })
    expect(t.row().formerAgentIds).toEqual([t.other.id])
  })

  it('moves the billing day: usage counts in the period it falls in, split by day', async () => {
    const t = await forEditing()
    const usage = async () => (await t.call('GET', `/subscribers/${t.subscriber.id}`)).body.usage
    // 10 GB since 1 March: 1 GB on the 1st, 4 GB on the 5th, 5 GB today (the 10th).
    const daily = [1e9, 0, 0, 0, 4e9, 0, 0, 0, 0, 5e9]
    await t.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(t.subscriber.id))!
      await tx.subscribers.update({
        ...sub,
        createdAtMs: Date.parse('2026-02-01'),
        usedBytes: 10e9,
        dailyUsage: { periodStartMs: Date.parse('2026-03-01'), bytes: daily },
      })
    })
    // Later: the period starting on the 5th holds the 5th onwards; the 1st stays March-1's on record.
    const later = await t.patch({ billingDay: 5 })
    expect(later.status).toBe(200)
    expect(later.body.usage).toMatchObject({
      usedBytes: 9e9,
      periodStart: '2026-03-05T00:00:00.000Z',
      periodEnd: '2026-04-05T00:00:00.000Z',
    })
    expect(t.row().dailyUsage).toEqual({
      periodStartMs: Date.parse('2026-03-05'),
      bytes: [4e9, 0, 0, 0, 0, 5e9],
    })
    expect(Object.values(t.data.usagePeriods)).toEqual([
      expect.objectContaining({ periodStartMs: Date.parse('2026-03-01'), usedBytes: 1e9 }),
    ])
    // Earlier: the period starting on 20 February holds all of it.
    await t.patch({ billingDay: 20 })
    expect(await usage()).toMatchObject({ usedBytes: 9e9, periodStart: '2026-02-20T00:00:00.000Z' })
    expect(t.row().dailyUsage?.bytes).toEqual([...new Array(13).fill(0), 4e9, 0, 0, 0, 0, 5e9])
    expect(t.pushed).toEqual([[t.subscriber.id], [t.subscriber.id]])
  })

  it('refuses a billing day that would drop a top-up bought this period, changing nothing', async () => {
    const t = await forEditing({ nowMs: Date.parse('2026-03-02T12:00:00Z') })
    await t.call('POST', `/subscribers/${t.subscriber.id}/topups`, { topUpPlanId: t.topUpPlan.id })
    t.clock.set(Date.parse('2026-03-10T12:00:00Z'))
    const before = t.snapshot()
    const refused = await t.patch({ billingDay: 5 })
    expect(refused.status).toBe(422)
    expect(refused.body.error.code).toBe('topup_in_period')
    expect(refused.body.error.message).toMatch(/^billingDay: a top-up bought on 2026-03-02/)
    expect(t.snapshot()).toBe(before)
    // A period that still holds the top-up's day is fine, and the top-up still counts.
    const earlier = await t.patch({ billingDay: 'last' })
    expect(earlier.status).toBe(200)
    expect(earlier.body.usage).toMatchObject({ periodStart: '2026-02-28T00:00:00.000Z', limitBytes: 110e9 })
  })

  it.each([
    ['no field', {}, 400, 'invalid_request', 'at least one field'],
    ['invalid JSON', '{"name":', 400, 'invalid_json', 'JSON'],
    ['the login', { login: 'alice2' }, 400, 'invalid_request', 'login'],
    ['an unknown field', { colour: 'red' }, 400, 'invalid_request', 'colour'],
    ['an empty name', { name: ' ' }, 400, 'invalid_request', 'name'],
    ['a bad address', { address: '10.0.0.300' }, 400, 'invalid_request', 'address'],
    ['a bad billing day', { billingDay: 32 }, 400, 'invalid_request', 'billingDay'],
    ['a short password', { password: 'short' }, 400, 'invalid_request', 'password'],
    ['a bad e-mail', { email: 'nope' }, 400, 'invalid_request', 'email'],
    ['an unknown plan', { planId: 'pln_nope' }, 422, 'invalid_reference', 'plan pln_nope'],
    ['an unknown agent', { agentId: 'agt_nope' }, 422, 'invalid_reference', 'agent agt_nope'],
    ['a taken address', { address: '10.0.0.6' }, 409, 'conflict', '10.0.0.6 already belongs'],
  ])('refuses %s with %i %s and changes nothing', async (_, body, status, code, text) => {
    const t = await forEditing()
    await t.call('POST', '/subscribers', {
      name: 'Bob',
      login: 'bob',
      planId: t.plan.id,
      agentId: t.agent.id,
      address: '10.0.0.6',
    })
    t.pushed.length = 0
    const before = t.snapshot()
    const res = await t.patch(body)
    expect(res.status).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(res.body.error.message).toContain(text)
    expect(t.snapshot()).toBe(before)
    expect(t.pushed).toEqual([])
  })

  it('refuses a retired plan and an address taken on the agent it moves to', async () => {
    const t = await forEditing()
    await t.call('POST', `/plans/${t.bigger.id}/retire`)
    await t.call('POST', '/subscribers', {
      name: 'Bob',
      login: 'bob',
      planId: t.plan.id,
      agentId: t.other.id,
      address: '10.0.0.5',
    })
    t.pushed.length = 0
    const before = t.snapshot()
    const retired = await t.patch({ planId: t.bigger.id })
    expect(retired.status).toBe(422)
    expect(retired.body.error).toMatchObject({
      code: 'retired',
      details: [{ path: 'planId', message: '"Big" is retired' }],
    })
    const taken = await t.patch({ agentId: t.other.id })
    expect(taken.status).toBe(409)
    expect(taken.body.error.details).toEqual([
      { path: 'address', message: '10.0.0.5 already belongs to Bob on this agent' },
    ])
    expect(t.snapshot()).toBe(before)
    expect(t.pushed).toEqual([])
  })

  it('answers 404 for an unknown subscriber, and documents the edit in openapi.json', async () => {
    const t = await forEditing()
    const before = t.snapshot()
    const res = await t.patch({ name: 'Nobody' }, 'sub_nope')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
    expect(t.snapshot()).toBe(before)
    const doc = (await (await t.app.request('/api/v1/openapi.json')).json()) as Reply['body']
    const patch = doc.paths['/api/v1/subscribers/{id}'].patch
    expect(Object.keys(patch.requestBody.content['application/json'].schema.properties).sort()).toEqual(
      [
        'address',
        'agentId',
        'billingDay',
        'email',
        'name',
        'notes',
        'password',
        'phone',
        'planId',
        'postalAddress',
      ].sort(),
    )
  })
})
