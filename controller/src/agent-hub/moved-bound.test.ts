import { describe, expect, it, onTestFinished } from 'vitest'
import { connectAgent, hello, usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

const GB = 1_000_000_000
const MINUTE = 60_000

/** Two connected agents; alice is on tower-a and moves to tower-b. */
async function fixture() {
  const t = await testApp()
  const plan = (await t.call('POST', '/plans', { name: 'Basic', capBytes: 100 * GB, onCap: 'block' })).body
  const agentA = (await t.call('POST', '/agents', { name: 'tower-a' })).body
  const agentB = (await t.call('POST', '/agents', { name: 'tower-b' })).body
  const alice = (
    await t.call('POST', '/subscribers', {
      name: 'alice',
      login: 'alice',
      planId: plan.id,
      agentId: agentA.id,
      address: '10.0.0.1',
    })
  ).body
  const server = await t.serve()
  onTestFinished(() => server.close())
  async function greeted(agent: { id: string; token: string }, epoch: string) {
    const client = await connectAgent(server.wsUrl, agent.token)
    onTestFinished(() => client.close())
    client.send(hello(agent.id, epoch))
    const sync = await client.next('sync')
    await t.hub.drain()
    return { client, sync }
  }
  const a = await greeted(agentA, 'epoch-a')
  const b = await greeted(agentB, 'epoch-b')
  const move = async () => {
    expect((await t.call('PATCH', `/subscribers/${alice.id}`, { agentId: agentB.id })).status).toBe(200)
    return a.client.next('sync')
  }
  /** A sends entries of alice (dated at the start, when alice was still on it) and waits for the ack. */
  const send = async (entries: Array<{ seq: number; down: number }>) => {
    a.client.send(
      usage(
        'epoch-a',
        entries.map((e) => ({ ...e, subscriberId: alice.id })),
      ),
    )
    return (await a.client.next('ack')).seq
  }
  const used = async () => (await t.call('GET', `/subscribers/${alice.id}`)).body.usage.usedBytes
  const movedAway = () =>
    Object.values(t.data.usageAnomalies).find((x) => x.agentId === agentA.id && x.reason === 'moved_away')
  return { ...t, agentA, alice, a, b, move, send, used, movedAway }
}

describe('a former agent after the move, over a live connection', () => {
  it('an honest agent books its in-flight entries once after synced; new seqs under the old epoch are not booked, whatever their date', async () => {
    const f = await fixture()
    expect(f.a.sync.syncId).toEqual(expect.any(String))
    expect(await f.send([{ seq: 1, down: 100 }])).toBe(1)
    const resync = await f.move()
    expect(resync.subscribers).toEqual([])
    expect(resync.syncId).toEqual(expect.any(String))
    expect(resync.syncId).not.toBe(f.a.sync.syncId)
    // It had journalled seqs 2 and 3 for alice before it applied the sync.
    f.a.client.send({ v: 1, type: 'synced', syncId: resync.syncId, journalSeq: 3 })
    f.clock.advance(6 * 60 * MINUTE)
    expect(
      await f.send([
        { seq: 2, down: 50 },
        { seq: 3, down: 60 },
      ]),
    ).toBe(3)
    expect(await f.send([{ seq: 2, down: 50 }])).toBe(3) // a replay
    for (let seq = 4; seq <= 8; seq++) expect(await f.send([{ seq, down: 5 * GB }])).toBe(seq)
    expect(await f.used()).toBe(210)
    expect(f.movedAway()).toMatchObject({ bytes: 25 * GB, entries: 5 })
    expect(f.hub.isConnected(f.agentA.id)).toBe(true)
  })

  it('an agent that never answers synced books nothing new from 10 minutes after the sync without the subscriber', async () => {
    const f = await fixture()
    await f.move()
    f.clock.advance(10 * MINUTE)
    expect(await f.send([{ seq: 1, down: 100 }])).toBe(1)
    f.clock.advance(1)
    expect(await f.send([{ seq: 2, down: 5 * GB }])).toBe(2)
    expect(await f.used()).toBe(100)
    expect(f.movedAway()).toMatchObject({ bytes: 5 * GB, entries: 1 })
  })

  it('a synced with an unknown or already answered syncId changes nothing and keeps the connection', async () => {
    const f = await fixture()
    const resync = await f.move()
    f.a.client.send({ v: 1, type: 'synced', syncId: 'made-up', journalSeq: 1_000_000 })
    f.a.client.send({ v: 1, type: 'synced', syncId: resync.syncId, journalSeq: 2 })
    f.a.client.send({ v: 1, type: 'synced', syncId: resync.syncId, journalSeq: 1_000_000 })
    expect(await f.send([{ seq: 3, down: 100 }])).toBe(3) // handled after the three
    expect(f.data.subscribers[f.alice.id]!.moves?.at(-1)?.bound).toEqual({ epoch: 'epoch-a', seq: 2 })
    expect(await f.used()).toBe(0)
    expect(f.hub.isConnected(f.agentA.id)).toBe(true)
  })
})
