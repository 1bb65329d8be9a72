/**
 * An agent from before subscribers could have no address parses each sync and push strictly, and
 * drops the whole message over one limit without an address: it is sent only the limits it can take.
 */
import { describe, expect, it } from 'vitest'
import { loginSubscriberFixture } from '../testing/login-subscriber-fixture.js'

const OLD = '0.1.0'
const CURRENT = '0.2.0'
const ids = (limits: { subscriberId: string }[]) => limits.map((s) => s.subscriberId).sort()

/** Alice (10.0.0.1) and Pat (known by login) on tower-a, greeted by an agent of a given version. */
async function fixture() {
  const f = await loginSubscriberFixture()
  return { ...f, agent: f.agentA, greeted: (agentVersion: string) => f.greeted(f.agentA, agentVersion) }
}

describe('an agent too old for subscribers without an address', () => {
  it('gets a sync without them and the others intact; a current agent gets them all', async () => {
    const f = await fixture()
    const old = await f.greeted(OLD)
    expect(ids(old.sync.subscribers)).toEqual([f.alice.id])
    old.client.close()
    const current = await f.greeted(CURRENT)
    expect(ids(current.sync.subscribers)).toEqual([f.alice.id, f.pat.id].sort())
    const alice = current.sync.subscribers.find(
      (s: { subscriberId: string }) => s.subscriberId === f.alice.id,
    )
    expect(old.sync.subscribers[0]).toEqual(alice)
  })

  it('is pushed no new subscriber without an address, and still the next one with an address', async () => {
    const f = await fixture()
    const { client } = await f.greeted(OLD)
    await f.create('sam', {})
    const bob = await f.create('bob', { address: '10.0.0.2' })
    // Pushes leave in commit order: Sam's, had it been sent, would come first.
    expect(ids((await client.next('limits')).subscribers)).toEqual([bob.id])
  })

  it('loses a subscriber whose address is removed by a sync, not by a push it cannot parse', async () => {
    const f = await fixture()
    const { client } = await f.greeted(OLD)
    expect((await f.call('PATCH', `/subscribers/${f.alice.id}`, { address: null })).status).toBe(200)
    expect((await client.next('sync')).subscribers).toEqual([])
    expect(client.received.filter((m) => m.type === 'limits')).toEqual([])
    // Given an address again, it comes back in a push.
    expect((await f.call('PATCH', `/subscribers/${f.alice.id}`, { address: '10.0.0.7' })).status).toBe(200)
    expect((await client.next('limits')).subscribers).toEqual([
      expect.objectContaining({ subscriberId: f.alice.id, address: '10.0.0.7' }),
    ])
  })

  it('the agent shows each subscriber held back among its problems, until it says hello as a current agent', async () => {
    const f = await fixture()
    const old = await f.greeted(OLD)
    const shown = (await f.call('GET', `/agents/${f.agent.id}`)).body
    expect(shown.problems).toEqual([
      expect.objectContaining({
        subscriberId: f.pat.id,
        code: 'agent_too_old',
        message: expect.stringContaining('0.2.0'),
      }),
    ])
    expect((await f.call('GET', '/agents')).body.items[0].problems).toEqual(shown.problems)
    old.client.close()
    await f.greeted(CURRENT)
    expect((await f.call('GET', `/agents/${f.agent.id}`)).body.problems).toEqual([])
  })
})
