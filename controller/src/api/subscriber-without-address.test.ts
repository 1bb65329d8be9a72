import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

/** Alice (10.0.0.5) on tower-1, an empty tower-2, and a body builder for subscribers known by login. */
async function seeded() {
  const t = await testApp()
  const { plan, agent, subscriber } = await t.seed()
  const other = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  let n = 0
  const body = (overrides: Record<string, unknown> = {}) => ({
    name: `PPPoE ${++n}`,
    login: `ppp${n}`,
    planId: plan.id,
    agentId: agent.id,
    ...overrides,
  })
  return { ...t, plan, agent, other, alice: subscriber, body }
}

describe('subscribers known by login (no address)', () => {
  it('creates one without an address: the view and the store have none, and the limit is computed', async () => {
    const t = await seeded()
    const res = await t.call('POST', '/subscribers', t.body())
    expect(res.status).toBe(201)
    expect(res.body).not.toHaveProperty('address')
    expect(res.body.login).toBe('ppp1')
    const stored = t.data.subscribers[res.body.id]!
    expect(stored).not.toHaveProperty('address')
    expect(stored.limitTerms).toBeDefined()
    expect(stored.limitTerms).not.toHaveProperty('address')
    const read = await t.call('GET', `/subscribers/${res.body.id}`)
    expect(read.status).toBe(200)
    expect(read.body).not.toHaveProperty('address')
    expect(t.data.audit.at(-1)).toMatchObject({ action: 'subscriber.create', entityId: res.body.id })
  })

  it('puts any number of them on one agent beside addressed ones: no overlap check applies', async () => {
    const t = await seeded()
    for (let i = 0; i < 3; i++) expect((await t.call('POST', '/subscribers', t.body())).status).toBe(201)
    // Alice's address is still hers alone.
    const clash = await t.call('POST', '/subscribers', t.body({ address: '10.0.0.0/24' }))
    expect(clash.status).toBe(409)
    expect(clash.body.error.message).toContain(t.alice.id)
  })

  it('PATCH address null makes a subscriber known by login, and frees its address on the agent', async () => {
    const t = await seeded()
    const versionBefore = t.data.subscribers[t.alice.id]!.limitVersion ?? 0
    const res = await t.call('PATCH', `/subscribers/${t.alice.id}`, { address: null })
    expect(res.status).toBe(200)
    expect(res.body).not.toHaveProperty('address')
    const stored = t.data.subscribers[t.alice.id]!
    expect(stored).not.toHaveProperty('address')
    expect(stored.limitTerms).not.toHaveProperty('address')
    // The agent must hear of it: the terms changed, so the version moved.
    expect(stored.limitVersion).toBeGreaterThan(versionBefore)
    expect(t.data.audit.at(-1)).toMatchObject({ action: 'subscriber.update', data: { address: null } })
    // Someone else may now have 10.0.0.5 on the same agent.
    const taken = await t.call('POST', '/subscribers', t.body({ address: '10.0.0.5' }))
    expect(taken.status).toBe(201)
    // Removing it again changes nothing.
    const before = t.snapshot()
    expect((await t.call('PATCH', `/subscribers/${t.alice.id}`, { address: null })).status).toBe(200)
    expect(t.snapshot()).toBe(before)
  })

  it('PATCH an address onto one known by login checks overlaps as for any other', async () => {
    const t = await seeded()
    const ppp = (await t.call('POST', '/subscribers', t.body())).body
    const before = t.snapshot()
    const clash = await t.call('PATCH', `/subscribers/${ppp.id}`, { address: '10.0.0.4/30' })
    expect(clash.status).toBe(409)
    expect(clash.body.error.details).toEqual([{ path: 'address', message: expect.stringContaining('Alice') }])
    expect(t.snapshot()).toBe(before)
    const given = await t.call('PATCH', `/subscribers/${ppp.id}`, { address: '10.0.9.1' })
    expect(given.status).toBe(200)
    expect(given.body.address).toBe('10.0.9.1')
    expect(t.data.subscribers[ppp.id]!.limitTerms?.address).toBe('10.0.9.1')
  })

  it('moves one known by login to another agent, and an edit of other fields keeps it without an address', async () => {
    const t = await seeded()
    const ppp = (await t.call('POST', '/subscribers', t.body())).body
    const moved = await t.call('PATCH', `/subscribers/${ppp.id}`, { agentId: t.other.id })
    expect(moved.status).toBe(200)
    expect(moved.body.agentId).toBe(t.other.id)
    expect(moved.body).not.toHaveProperty('address')
    const renamed = await t.call('PATCH', `/subscribers/${ppp.id}`, { name: 'Renamed' })
    expect(renamed.status).toBe(200)
    expect(t.data.subscribers[ppp.id]).not.toHaveProperty('address')
  })

  it.each([
    ['POST', { address: null }],
    ['POST', { address: '' }],
    ['PATCH', { address: '' }],
    ['PATCH', { address: 5 }],
  ] as const)(
    '%s %j is refused with 400 naming the address field, changing nothing',
    async (method, body) => {
      const t = await seeded()
      const before = t.snapshot()
      const res =
        method === 'POST'
          ? await t.call('POST', '/subscribers', t.body(body))
          : await t.call('PATCH', `/subscribers/${t.alice.id}`, body)
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      expect(res.body.error.message).toMatch(/^address: /)
      expect(t.snapshot()).toBe(before)
    },
  )

  it('a search by address passes over subscribers without one', async () => {
    const t = await seeded()
    const ppp = (await t.call('POST', '/subscribers', t.body({ name: 'Pat' }))).body
    const ids = async (q: string) =>
      (await t.call('GET', `/subscribers?q=${encodeURIComponent(q)}`)).body.items.map(
        (s: { id: string }) => s.id,
      )
    expect(await ids('10.0.0')).toEqual([t.alice.id])
    expect(await ids('pat')).toEqual([ppp.id])
    expect(await ids('ppp')).toEqual([ppp.id])
  })
})

describe('openapi.json', () => {
  it('documents the address as optional on create and removable with null on edit', async () => {
    const t = await testApp()
    // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document, read field by field
    const doc: any = await (await t.app.request('/api/v1/openapi.json')).json()
    const body = (path: string, method: string) =>
      doc.paths[path][method].requestBody.content['application/json'].schema
    const create = body('/api/v1/subscribers', 'post')
    expect(create.required).not.toContain('address')
    expect(create.required).toContain('login')
    expect(create.properties.address.description).toMatch(/known by its login/)
    const patch = body('/api/v1/subscribers/{id}', 'patch')
    expect(JSON.stringify(patch.properties.address)).toContain('"null"')
    expect(patch.properties.address.description).toMatch(/null removes it/)
  })
})
