/** Limits of subscribers known by their login: sent to the agent with the login and no address. */
import { describe, expect, it } from 'vitest'
import { loginSubscriberFixture as fixture } from '../testing/login-subscriber-fixture.js'

describe('limits of subscribers known by login', () => {
  it('the sync at hello carries the login and no address key for them, the address for the others', async () => {
    const f = await fixture()
    const { sync } = await f.greeted(f.agentA)
    const byId = new Map(sync.subscribers.map((s: { subscriberId: string }) => [s.subscriberId, s]))
    expect(byId.get(f.alice.id)).toMatchObject({ address: '10.0.0.1', login: 'alice' })
    expect(byId.get(f.pat.id)).toMatchObject({ login: 'pat', limitBytes: 1e9 })
    expect(byId.get(f.pat.id)).not.toHaveProperty('address')
  })

  it('PATCH address null pushes the limit without an address under a higher version; an address given back is pushed too', async () => {
    const f = await fixture()
    const { client, sync } = await f.greeted(f.agentA)
    const before = sync.subscribers.find((s: { subscriberId: string }) => s.subscriberId === f.alice.id)
    expect((await f.call('PATCH', `/subscribers/${f.alice.id}`, { address: null })).status).toBe(200)
    const cleared = (await client.next('limits')).subscribers
    expect(cleared).toEqual([expect.objectContaining({ subscriberId: f.alice.id, login: 'alice' })])
    expect(cleared[0]).not.toHaveProperty('address')
    expect(cleared[0].limitVersion).toBeGreaterThan(before.limitVersion)

    expect((await f.call('PATCH', `/subscribers/${f.alice.id}`, { address: '10.0.0.7' })).status).toBe(200)
    const given = (await client.next('limits')).subscribers
    expect(given).toEqual([expect.objectContaining({ subscriberId: f.alice.id, address: '10.0.0.7' })])
    expect(given[0].limitVersion).toBeGreaterThan(cleared[0].limitVersion)
  })

  it('a new one is pushed without an address; a move takes it to the new agent and off the old one', async () => {
    const f = await fixture()
    const a = await f.greeted(f.agentA)
    const b = await f.greeted(f.agentB)
    const res = await f.call('POST', '/subscribers', {
      name: 'Sam',
      login: 'sam',
      planId: f.plan.id,
      agentId: f.agentA.id,
    })
    expect(res.status).toBe(201)
    const pushed = (await a.client.next('limits')).subscribers
    expect(pushed).toEqual([expect.objectContaining({ subscriberId: res.body.id, login: 'sam' })])
    expect(pushed[0]).not.toHaveProperty('address')

    expect((await f.call('PATCH', `/subscribers/${f.pat.id}`, { agentId: f.agentB.id })).status).toBe(200)
    const moved = (await b.client.next('limits')).subscribers
    expect(moved).toEqual([expect.objectContaining({ subscriberId: f.pat.id, login: 'pat' })])
    expect(moved[0]).not.toHaveProperty('address')
    const left = (await a.client.next('sync')).subscribers.map(
      (s: { subscriberId: string }) => s.subscriberId,
    )
    expect(left.sort()).toEqual([f.alice.id, res.body.id].sort())
  })
})
