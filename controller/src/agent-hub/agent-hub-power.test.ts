import { describe, expect, it, onTestFinished } from 'vitest'
import { connectAgent, hello, stateReport, usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

/** One agent with one subscriber (cap 1000 bytes), auto top-up on, funds for several packs. */
async function fixture() {
  const t = await testApp()
  const plan = (
    await t.call('POST', '/plans', { name: 'Tiny', capBytes: 1000, onCap: 'block', allowTiny: true })
  ).body
  const pack = (
    await t.call('POST', '/topup-plans', { name: '500 B', bytes: 500, price: usd(500), allowTiny: true })
  ).body
  const agent = (await t.call('POST', '/agents', { name: 'tower-a' })).body
  const sub = (
    await t.call('POST', '/subscribers', {
      name: 'alice',
      login: 'alice',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.1',
    })
  ).body
  await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(5000) })
  await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, {
    enabled: true,
    topUpPlanId: pack.id,
    maxPerPeriod: 5,
  })
  const server = await t.serve()
  onTestFinished(() => server.close())
  const client = await connectAgent(server.wsUrl, agent.token)
  onTestFinished(() => client.close())
  client.send(hello(agent.id, 'epoch-a'))
  const sync = await client.next('sync')
  await t.hub.drain()
  const charged = () => Object.values(t.data.topUps).filter((x) => x.source === 'auto').length
  return { ...t, agent, sub, client, sync, charged }
}

describe('what an agent may make the controller do', () => {
  it('usage naming subscribers the controller does not know is acked, not refused; operators see it', async () => {
    const f = await fixture()
    f.client.send(
      usage('epoch-a', [
        { seq: 1, subscriberId: f.sub.id, down: 100 },
        { seq: 2, subscriberId: 'sub_restoredaway', down: 700, up: 30 },
      ]),
    )
    expect(await f.client.next('ack')).toMatchObject({ epoch: 'epoch-a', seq: 2 })
    await f.hub.drain()
    expect(f.client.received.filter((m) => m.type === 'error')).toEqual([])
    expect(f.hub.isConnected(f.agent.id)).toBe(true)
    expect(f.data.subscribers[f.sub.id]!.usedBytes).toBe(100)

    const read = (await f.call('GET', `/agents/${f.agent.id}`)).body
    expect(read.anomalies).toEqual([
      expect.objectContaining({
        subscriberId: 'sub_restoredaway',
        reason: 'unknown_subscriber',
        entries: 1,
        bytes: 730,
      }),
    ])
  })

  it('a state report alone (nothing booked) never charges an auto top-up', async () => {
    const f = await fixture()
    const version = f.sync.subscribers[0].limitVersion
    f.client.send(stateReport(f.sub.id, 'blocked', version, 5000))
    f.client.send(stateReport(f.sub.id, 'open', version, 0))
    f.client.send(stateReport(f.sub.id, 'blocked', version, 1000))
    f.client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.sub.id, down: 10 }]))
    await f.client.next('ack')
    await f.hub.drain()
    expect(f.charged()).toBe(0)
    expect(f.data.subscribers[f.sub.id]!.balance).toEqual(usd(5000))

    // Booked usage at the cap does.
    f.client.send(usage('epoch-a', [{ seq: 2, subscriberId: f.sub.id, down: 990 }]))
    await f.client.next('ack')
    await f.hub.drain()
    expect(f.charged()).toBe(1)
  })
})
