/** Agents tower-a and tower-b, Alice (10.0.0.1) and Pat (known by login alone) on tower-a, and a live server. */
import { onTestFinished } from 'vitest'
import { connectAgent, hello } from './test-agent.js'
import { testApp } from './test-app.js'

export async function loginSubscriberFixture() {
  const t = await testApp()
  const plan = (await t.call('POST', '/plans', { name: 'Basic', capBytes: 1e9, onCap: 'block' })).body
  const agentA = (await t.call('POST', '/agents', { name: 'tower-a' })).body
  const agentB = (await t.call('POST', '/agents', { name: 'tower-b' })).body
  /** A subscriber on tower-a named and logged in as `login`. */
  const create = async (login: string, extra: Record<string, unknown>) =>
    (
      await t.call('POST', '/subscribers', {
        name: login,
        login,
        planId: plan.id,
        agentId: agentA.id,
        ...extra,
      })
    ).body
  const alice = await create('alice', { address: '10.0.0.1' })
  const pat = await create('pat', {})
  const server = await t.serve()
  onTestFinished(() => server.close())
  /** `agent` connected and said hello (as `agentVersion`), with the sync it got. */
  async function greeted(agent: { id: string; token: string }, agentVersion?: string) {
    const client = await connectAgent(server.wsUrl, agent.token)
    onTestFinished(() => client.close())
    client.send(hello(agent.id, 'epoch-a', 0, agentVersion))
    const sync = await client.next('sync')
    await t.hub.drain()
    return { client, sync }
  }
  return { ...t, plan, agentA, agentB, alice, pat, create, greeted }
}
