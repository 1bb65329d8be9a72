import { silentLogger } from '@capd/log'
import { describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { connectAgent, hello, stateReport, upgradeStatus, usage } from '../testing/test-agent.js'
import { type TestAppOptions, testApp } from '../testing/test-app.js'
import { LimitRefresher } from './limit-refresher.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

/** Two agents with one subscriber each (cap 1000 bytes), a 500-byte pack for $1, and a live server. */
async function hubFixture(options: TestAppOptions = {}) {
  const t = await testApp(options)
  const plan = (
    await t.call('POST', '/plans', { name: 'Tiny', capBytes: 1000, onCap: 'block', allowTiny: true })
  ).body
  const pack = (
    await t.call('POST', '/topup-plans', { name: '500 B', bytes: 500, price: usd(100), allowTiny: true })
  ).body
  const agentA = (await t.call('POST', '/agents', { name: 'tower-a' })).body
  const agentB = (await t.call('POST', '/agents', { name: 'tower-b' })).body
  const subscriber = async (login: string, agentId: string, address: string) =>
    (await t.call('POST', '/subscribers', { name: login, login, planId: plan.id, agentId, address })).body
  const subA = await subscriber('alice', agentA.id, '10.0.0.1')
  const subB = await subscriber('bob', agentB.id, '10.0.0.2')
  const server = await t.serve()
  onTestFinished(() => server.close())
  const used = async (id: string) => (await t.call('GET', `/subscribers/${id}`)).body.usage.usedBytes
  /** Connects, says hello and returns the agent with its sync. */
  async function greeted(agent: { id: string; token: string }, epoch = 'epoch-a') {
    const client = await connectAgent(server.wsUrl, agent.token)
    onTestFinished(() => client.close())
    client.send(hello(agent.id, epoch))
    const sync = await client.next('sync')
    await t.hub.drain()
    return { client, sync }
  }
  return { ...t, plan, pack, agentA, agentB, subA, subB, server, used, greeted }
}

describe('agent endpoint authentication', () => {
  it('refuses the upgrade with 401 without a token, with a wrong one, and for a revoked agent', async () => {
    const { server, agentA, agentB, call, data } = await hubFixture()
    expect(await upgradeStatus(server.wsUrl, undefined)).toBe(401)
    expect(await upgradeStatus(server.wsUrl, 'capda_agt_nobody.0123456789abcdefghijklmnop')).toBe(401)
    expect(await upgradeStatus(server.wsUrl, `${agentA.token}x`)).toBe(401)
    expect(await upgradeStatus(server.wsUrl, agentA.token)).toBe(101)

    expect((await call('POST', `/agents/${agentB.id}/revoke`)).status).toBe(200)
    expect(data.agents[agentB.id]!.revokedAtMs).toBeDefined()
    expect(await upgradeStatus(server.wsUrl, agentB.token)).toBe(401)
  })

  it('answers a plain GET with a valid token with 426, and a bad token with 401 JSON', async () => {
    const { app, agentA } = await hubFixture()
    const plain = await app.request('/agent/v1/ws', { headers: { authorization: `Bearer ${agentA.token}` } })
    expect(plain.status).toBe(426)
    const refused = await app.request('/agent/v1/ws', { headers: { authorization: 'Bearer nope-nope' } })
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
  })

  it('closes the live connection of an agent when it is revoked (4002)', async () => {
    const { agentA, greeted, call } = await hubFixture()
    const { client } = await greeted(agentA)
    await call('POST', `/agents/${agentA.id}/revoke`)
    expect((await client.next('error')).code).toBe('agent_revoked')
    expect((await client.closed).code).toBe(4002)
  })
})

describe('agent protocol', () => {
  it('hello gets a sync of all the agent’s subscribers with their full limits', async () => {
    const { agentA, subA, greeted, call } = await hubFixture()
    const { sync } = await greeted(agentA)
    expect(sync).toMatchObject({ v: 1, type: 'sync' })
    expect(sync.subscribers).toEqual([
      {
        subscriberId: subA.id,
        address: '10.0.0.1',
        login: 'alice',
        periodStart: '2026-03-01T00:00:00.000Z',
        periodEnd: '2026-04-01T00:00:00.000Z',
        limitBytes: 1000,
        usedBytes: 0,
        limitVersion: 1,
        onCap: 'block',
      },
    ])
    const agents = (await call('GET', '/agents')).body.items
    expect(agents.map((a: { connected: boolean }) => a.connected)).toEqual([true, false])
    expect(agents[0].lastSeenAt).toBe('2026-03-10T12:00:00.000Z')
  })

  const violations: [
    string,
    (ids: { a: string; b: string; subB: string }) => (object | string)[],
    number,
    string,
  ][] = [
    ['malformed JSON', () => ['{"v":1,'], 1008, 'invalid_message'],
    ['an unknown type', () => [{ v: 1, type: 'gossip' }], 1008, 'invalid_message'],
    ['a wrong protocol version', ({ a }) => [{ ...hello(a), v: 2 }], 1008, 'invalid_message'],
    ['an oversize frame', () => ['x'.repeat(1024 * 1024 + 1)], 1009, 'message_too_large'],
    [
      'usage before hello',
      ({ subB }) => [usage('epoch-a', [{ seq: 1, subscriberId: subB, down: 10 }])],
      1008,
      'hello_required',
    ],
    ['hello with another agent’s id', ({ b }) => [hello(b)], 1008, 'agent_mismatch'],
    ['a second hello', ({ a }) => [hello(a), hello(a)], 1008, 'unexpected_hello'],
  ]

  it.each(violations)(
    'refuses %s with an error and a close, books nothing, and other agents carry on',
    async (_, messages, closeCode, errorCode) => {
      const f = await hubFixture()
      const other = await f.greeted(f.agentB)
      const offender = await connectAgent(f.server.wsUrl, f.agentA.token)
      // The offender's own hello (where the case has one) may write "last seen": compare after it.
      const sends = messages({ a: f.agentA.id, b: f.agentB.id, subB: f.subB.id })
      const greets =
        sends.length > 1 && typeof sends[0] === 'object' && (sends[0] as { type?: string }).type === 'hello'
      if (greets) {
        offender.send(sends.shift()!)
        await offender.next('sync')
        await f.hub.drain()
      }
      const before = f.snapshot()
      for (const message of sends) offender.send(message)
      const error = await offender.next('error')
      expect(error).toMatchObject({ v: 1, type: 'error', code: errorCode })
      expect((await offender.closed).code).toBe(closeCode)
      await f.hub.drain()
      expect(f.snapshot()).toBe(before)

      other.client.send(usage('epoch-b', [{ seq: 1, subscriberId: f.subB.id, down: 7, up: 3 }]))
      expect(await other.client.next('ack')).toEqual({ v: 1, type: 'ack', epoch: 'epoch-b', seq: 1 })
      expect(await f.used(f.subB.id)).toBe(10)
    },
  )

  it('refuses a binary frame (1003) and a connection that never says hello', async () => {
    const f = await hubFixture({ hub: { helloTimeoutMs: 100 } })
    const silent = await connectAgent(f.server.wsUrl, f.agentA.token)
    const raw = new WebSocket(f.server.wsUrl, { headers: { authorization: `Bearer ${f.agentB.token}` } })
    const rawClosed = new Promise<number>((resolve) => raw.on('close', (code) => resolve(code)))
    await new Promise((resolve) => raw.once('open', resolve))
    raw.send(Buffer.from([1, 2, 3]))
    expect(await rawClosed).toBe(1003)

    expect((await silent.next('error')).code).toBe('hello_required')
    expect((await silent.closed).code).toBe(1008)
  })

  it('drops a connection that stops answering pings', async () => {
    const f = await hubFixture({ hub: { heartbeatIntervalMs: 30, silentTimeoutMs: 120 } })
    const raw = new WebSocket(f.server.wsUrl, {
      headers: { authorization: `Bearer ${f.agentA.token}` },
      autoPong: false,
    })
    const closed = new Promise<number>((resolve) => raw.on('close', (code) => resolve(code)))
    await new Promise((resolve) => raw.once('open', resolve))
    raw.send(JSON.stringify(hello(f.agentA.id)))
    expect(await closed).toBe(1006)
    expect(f.hub.isConnected(f.agentA.id)).toBe(false)
    expect(f.hubLog.some((line) => line.includes('silent'))).toBe(true)
  })

  it('a newer connection of the same agent replaces the older one (4001)', async () => {
    const f = await hubFixture()
    const first = await f.greeted(f.agentA)
    const second = await f.greeted(f.agentA)
    expect((await first.client.next('error')).code).toBe('replaced')
    expect((await first.client.closed).code).toBe(4001)
    expect(f.hub.isConnected(f.agentA.id)).toBe(true)
    second.client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.subA.id, down: 5 }]))
    expect((await second.client.next('ack')).seq).toBe(1)
    second.client.close()
    await second.client.closed
    await expect.poll(() => f.hub.isConnected(f.agentA.id)).toBe(false)
  })

  it('records the state the agent reports', async () => {
    const f = await hubFixture()
    const { client, sync } = await f.greeted(f.agentA)
    client.send(stateReport(f.subA.id, 'blocked', sync.subscribers[0].limitVersion, 1000))
    await expect
      .poll(async () => (await f.call('GET', `/subscribers/${f.subA.id}`)).body.state)
      .toBe('blocked')
    const listed = await f.call('GET', '/subscribers?state=blocked')
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([f.subA.id])
  })
})

describe('usage sync', () => {
  it('books every delta exactly once across replays, reorders and duplicates; acks the high-water mark', async () => {
    const f = await hubFixture()
    const { client } = await f.greeted(f.agentA)
    const sub = f.subA.id
    const entry = (seq: number) => ({ seq, subscriberId: sub, down: seq * 10, up: seq })
    const batches = [
      [1, 2, 3],
      [4, 5, 6],
      [4, 5, 6], // duplicate
      [1, 2, 3], // replay, out of order
      [2, 3, 4, 5], // overlapping replay
      [5, 6, 7], // partly new
    ]
    const acks = []
    for (const seqs of batches) {
      client.send(usage('epoch-a', seqs.map(entry)))
      acks.push((await client.next('ack')).seq)
    }
    expect(acks).toEqual([3, 6, 6, 6, 6, 7])
    const sum = (seqs: number[]) => seqs.reduce((total, seq) => total + seq * 11, 0)
    expect(await f.used(sub)).toBe(sum([1, 2, 3, 4, 5, 6, 7]))

    // A wiped agent journal: a new epoch counts from 1 again, and the old epoch stays booked.
    client.send(usage('epoch-b', [entry(1), entry(2)]))
    expect(await client.next('ack')).toMatchObject({ epoch: 'epoch-b', seq: 2 })
    client.send(usage('epoch-a', [entry(6), entry(7)]))
    expect(await client.next('ack')).toMatchObject({ epoch: 'epoch-a', seq: 7 })
    expect(await f.used(sub)).toBe(sum([1, 2, 3, 4, 5, 6, 7]) + sum([1, 2]))

    // On reconnect the controller tells the agent its high-water mark right after the sync.
    const again = await f.greeted(f.agentA, 'epoch-b')
    expect(again.sync.subscribers[0].usedBytes).toBe(sum([1, 2, 3, 4, 5, 6, 7]) + sum([1, 2]))
    expect(await again.client.next('ack')).toEqual({ v: 1, type: 'ack', epoch: 'epoch-b', seq: 2 })
  })

  it('books a late entry of the previous period there, not in the current one', async () => {
    const f = await hubFixture({ nowMs: Date.parse('2026-02-20T12:00:00Z') })
    f.clock.set(Date.parse('2026-03-10T12:00:00Z'))
    const { client } = await f.greeted(f.agentA)
    client.send(
      usage('epoch-a', [
        { seq: 1, subscriberId: f.subA.id, down: 40, periodStart: '2026-02-01T00:00:00.000Z' },
        { seq: 2, subscriberId: f.subA.id, down: 60 },
      ]),
    )
    expect((await client.next('ack')).seq).toBe(2)
    expect(await f.used(f.subA.id)).toBe(60)
    expect(Object.values(f.data.usagePeriods)).toEqual([
      expect.objectContaining({
        subscriberId: f.subA.id,
        periodStartMs: Date.parse('2026-02-01'),
        usedBytes: 40,
      }),
    ])
  })
})

describe('limit pushes', () => {
  it('a top-up through the API pushes limits with a higher version to the connected agent', async () => {
    const f = await hubFixture()
    const { client, sync } = await f.greeted(f.agentA)
    const before = sync.subscribers[0].limitVersion
    const res = await f.call('POST', `/subscribers/${f.subA.id}/topups`, {
      bytes: 250,
      price: usd(50),
      allowTiny: true,
    })
    expect(res.status).toBe(201)
    const push = await client.next('limits')
    expect(push.subscribers).toEqual([
      expect.objectContaining({ subscriberId: f.subA.id, limitBytes: 1250, usedBytes: 0 }),
    ])
    expect(push.subscribers[0].limitVersion).toBeGreaterThan(before)
  })

  it('a new subscriber is pushed to its agent without a reconnect', async () => {
    const f = await hubFixture()
    const { client } = await f.greeted(f.agentA)
    const res = await f.call('POST', '/subscribers', {
      name: 'Carol',
      login: 'carol',
      planId: f.plan.id,
      agentId: f.agentA.id,
      address: '10.0.0.3',
    })
    const push = await client.next('limits')
    expect(push.subscribers).toEqual([
      expect.objectContaining({ subscriberId: res.body.id, address: '10.0.0.3', limitBytes: 1000 }),
    ])
  })

  it('at the period roll-over the refresher pushes the new period with usage 0 and a higher version', async () => {
    const f = await hubFixture()
    const refresher = new LimitRefresher({ store: f.store, env: f.env, logger: silentLogger })
    const { client, sync } = await f.greeted(f.agentA)
    client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.subA.id, down: 300 }]))
    await client.next('ack')
    expect((await refresher.runOnce()).changedIds).toEqual([])

    f.clock.set(Date.parse('2026-04-01T00:00:01Z'))
    const { changedIds, nextChangeAtMs } = await refresher.runOnce()
    expect(changedIds.sort()).toEqual([f.subA.id, f.subB.id].sort())
    expect(nextChangeAtMs).toBe(Date.parse('2026-05-01T00:00:00Z'))
    const push = await client.next('limits')
    expect(push.subscribers).toEqual([
      expect.objectContaining({
        subscriberId: f.subA.id,
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        usedBytes: 0,
        limitBytes: 1000,
      }),
    ])
    expect(push.subscribers[0].limitVersion).toBeGreaterThan(sync.subscribers[0].limitVersion)
    // March's usage is kept for the record.
    expect(Object.values(f.data.usagePeriods)).toEqual([
      expect.objectContaining({
        subscriberId: f.subA.id,
        periodStartMs: Date.parse('2026-03-01'),
        usedBytes: 300,
      }),
    ])
    expect((await refresher.runOnce()).changedIds).toEqual([])
  })
})

describe('auto top-up over the agent link', () => {
  async function withAutoTopUp(settings: object, balance: number) {
    const f = await hubFixture()
    if (balance > 0) {
      await f.call('POST', `/subscribers/${f.subA.id}/payments`, { amount: usd(balance) })
    }
    const put = await f.call('PUT', `/subscribers/${f.subA.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: f.pack.id,
      // These tests are about the maximum and funds: no wait between two.
      minIntervalMs: 0,
      ...settings,
    })
    expect(put.status).toBe(200)
    return f
  }
  const autoTopUps = async (f: Awaited<ReturnType<typeof hubFixture>>) =>
    (await f.call('GET', `/subscribers/${f.subA.id}/topups`)).body.items.filter(
      (t: { source: string }) => t.source === 'auto',
    )

  it('30 duplicated reports over the cap never apply more than maxPerPeriod', async () => {
    const f = await withAutoTopUp({ maxPerPeriod: 2 }, 10_000)
    const { client } = await f.greeted(f.agentA)
    for (let i = 0; i < 30; i++) {
      const seq = (i % 15) + 1
      client.send(usage('epoch-a', [{ seq, subscriberId: f.subA.id, down: 200 }]))
      if (i % 3 === 2) client.send(stateReport(f.subA.id, 'blocked', 1, 5000))
    }
    for (let i = 0; i < 30; i++) await client.next('ack')
    await f.hub.drain()
    expect(await f.used(f.subA.id)).toBe(15 * 200)
    expect(await autoTopUps(f)).toHaveLength(2)
    const read = (await f.call('GET', `/subscribers/${f.subA.id}`)).body
    expect(read.balance).toEqual(usd(10_000 - 200))
    expect(read.usage.limitBytes).toBe(2000)
    const declines = f.data.audit.filter((a) => a.action === 'auto_topup.declined')
    expect(declines.map((a) => (a.data as { reason: string }).reason)).toEqual(['max_per_period'])
  })

  it('with a threshold, tops up before the cap while funds last: remaining never reaches 0', async () => {
    const f = await withAutoTopUp({ maxPerPeriod: 10, thresholdBytes: 300 }, 250)
    const { client, sync } = await f.greeted(f.agentA)
    let limit = sync.subscribers[0].limitBytes
    let used = 0
    const remainders = []
    for (let seq = 1; seq <= 20; seq++) {
      used += 100
      client.send(usage('epoch-a', [{ seq, subscriberId: f.subA.id, down: 100 }]))
      await client.next('ack')
      // Funds for two packs: those must arrive before the cap; after that the cap holds.
      if (limit - used <= 300 && limit < 2000) limit = (await client.next('limits')).subscribers[0].limitBytes
      remainders.push(limit - used)
      if (limit < 2000) expect(limit - used).toBeGreaterThan(0)
    }
    await f.hub.drain()
    expect(await autoTopUps(f)).toHaveLength(2)
    expect(limit).toBe(2000)
    // Each pack came when 300 bytes were left; only the third, unaffordable one let it run out.
    expect(Math.min(...remainders.slice(0, 17))).toBe(300)
    expect(remainders.slice(17)).toEqual([200, 100, 0])
    const read = (await f.call('GET', `/subscribers/${f.subA.id}`)).body
    expect(read.balance).toEqual(usd(50))
    expect(read.usage).toMatchObject({ usedBytes: 2000, limitBytes: 2000, remainingBytes: 0 })
  })

  it('without enough balance applies nothing, issues no invoice, audits once; a payment then tops up', async () => {
    const f = await withAutoTopUp({ maxPerPeriod: 3 }, 99)
    const { client } = await f.greeted(f.agentA)
    client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.subA.id, down: 1200 }]))
    await client.next('ack')
    client.send(stateReport(f.subA.id, 'blocked', 1, 1200))
    client.send(usage('epoch-a', [{ seq: 2, subscriberId: f.subA.id, down: 10 }]))
    await client.next('ack')
    await f.hub.drain()
    expect(await autoTopUps(f)).toHaveLength(0)
    expect((await f.call('GET', `/subscribers/${f.subA.id}/invoices`)).body.items).toHaveLength(0)
    const declines = f.data.audit.filter((a) => a.action === 'auto_topup.declined')
    expect(declines.map((a) => (a.data as { reason: string }).reason)).toEqual(['insufficient_balance'])
    expect(client.received.filter((m) => m.type === 'limits')).toHaveLength(0)

    await f.call('POST', `/subscribers/${f.subA.id}/payments`, { amount: usd(200) })
    const push = await client.next('limits')
    expect(push.subscribers[0].limitBytes).toBe(1500)
    expect(await autoTopUps(f)).toHaveLength(1)
    expect((await f.call('GET', `/subscribers/${f.subA.id}`)).body.balance).toEqual(usd(199))
  })
})

describe('moving a subscriber to another agent', () => {
  it('the new agent gets it at once, the old one a sync without it, and late reports of the old one do no harm', async () => {
    const f = await hubFixture()
    const a = await f.greeted(f.agentA)
    const b = await f.greeted(f.agentB)
    const versionBefore = a.sync.subscribers[0].limitVersion
    a.client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.subA.id, down: 100 }]))
    expect((await a.client.next('ack')).seq).toBe(1)

    const moved = await f.call('PATCH', `/subscribers/${f.subA.id}`, { agentId: f.agentB.id })
    expect(moved.status).toBe(200)
    const push = await b.client.next('limits')
    expect(push.subscribers).toEqual([
      expect.objectContaining({ subscriberId: f.subA.id, address: '10.0.0.1', usedBytes: 100 }),
    ])
    expect(push.subscribers[0].limitVersion).toBeGreaterThan(versionBefore)
    // A push can only add or change: the old agent is told its whole state again, without alice.
    expect((await a.client.next('sync')).subscribers).toEqual([])

    // Usage the old agent journalled before it learned of the move is booked, not refused.
    a.client.send(usage('epoch-a', [{ seq: 2, subscriberId: f.subA.id, down: 50 }]))
    expect((await a.client.next('ack')).seq).toBe(2)
    // What it says it applied is stale: ignored, and the connection stays.
    a.client.send(stateReport(f.subA.id, 'blocked', versionBefore, 1000))
    b.client.send(usage('epoch-b', [{ seq: 1, subscriberId: f.subA.id, down: 25 }]))
    expect((await b.client.next('ack')).seq).toBe(1)
    await f.hub.drain()
    expect(await f.used(f.subA.id)).toBe(175)
    expect(f.data.subscribers[f.subA.id]!.state).toBe('open')
    expect(f.hub.isConnected(f.agentA.id)).toBe(true)
    expect(a.client.received.filter((m) => m.type === 'error')).toEqual([])

    // From now on its limits go to the new agent only.
    await f.call('POST', `/subscribers/${f.subA.id}/topups`, { bytes: 250, price: usd(50), allowTiny: true })
    expect((await b.client.next('limits')).subscribers[0]).toMatchObject({ limitBytes: 1250 })
    await f.hub.drain()
    expect(a.client.received.filter((m) => m.type === 'limits')).toEqual([])
    // And a reconnect of the old agent does not bring it back.
    expect((await f.greeted(f.agentA)).sync.subscribers).toEqual([])
  })

  it('an agent that was offline during the move learns of it from the sync at its next hello', async () => {
    const f = await hubFixture()
    // It had said hello with this epoch before the move, then went away.
    ;(await f.greeted(f.agentA)).client.close()
    const b = await f.greeted(f.agentB)
    expect((await f.call('PATCH', `/subscribers/${f.subA.id}`, { agentId: f.agentB.id })).status).toBe(200)
    expect((await b.client.next('limits')).subscribers[0].subscriberId).toBe(f.subA.id)
    const a = await f.greeted(f.agentA)
    expect(a.sync.subscribers).toEqual([])
    // Its journal may still hold alice's usage from before: booked, not refused.
    a.client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.subA.id, down: 40 }]))
    expect((await a.client.next('ack')).seq).toBe(1)
    expect(await f.used(f.subA.id)).toBe(40)
  })

  it('other agents are not re-synced, and an agent that never had the subscriber books nothing for it', async () => {
    const f = await hubFixture()
    const agentC = (await f.call('POST', '/agents', { name: 'tower-c' })).body
    const a = await f.greeted(f.agentA)
    const c = await f.greeted(agentC)
    await f.call('PATCH', `/subscribers/${f.subB.id}`, { agentId: f.agentA.id, address: '10.0.0.9' })
    expect((await a.client.next('limits')).subscribers[0].subscriberId).toBe(f.subB.id)
    await f.hub.drain()
    expect(a.client.received.filter((m) => m.type === 'sync')).toHaveLength(1)
    expect(c.client.received.filter((m) => m.type === 'sync')).toHaveLength(1)
    const usedBefore = await f.used(f.subB.id)
    c.client.send(usage('epoch-c', [{ seq: 1, subscriberId: f.subB.id, down: 10 }]))
    // Acked (refusing would stall its journal for good), not booked, and on record for operators.
    expect((await c.client.next('ack')).seq).toBe(1)
    expect(await f.used(f.subB.id)).toBe(usedBefore)
    const read = (await f.call('GET', `/agents/${agentC.id}`)).body
    expect(read.anomalies).toEqual([
      expect.objectContaining({ subscriberId: f.subB.id, reason: 'foreign_subscriber', bytes: 10 }),
    ])
  })
})
