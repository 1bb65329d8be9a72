import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { silentLogger } from '@capd/log'
import { describe, expect, it, onTestFinished } from 'vitest'
import { recordHello } from '../domain/agents.js'
import { testApp } from '../testing/test-app.js'
import { AgentWatch } from './agent-watch.js'
import { setOperatorAlertEmails } from './notify-settings.js'
import { decideStoreNearFull, noteWebhookRefused, webhookRefusedKey } from './operator-events.js'
import { diskSpace, watchStoreSpace } from './store-space-watch.js'

const MIN = 60_000
const GIB = 1024 ** 3

async function fixture() {
  const t = await testApp()
  t.env.channels = new Set(['email'])
  await t.store.transact((tx) => setOperatorAlertEmails(tx, t.env, ['noc@isp.example', 'ops@isp.example']))
  const agent = (await t.call('POST', '/agents', { name: 'tower-1' })).body
  const connected = new Set<string>()
  const watch = new AgentWatch({
    store: t.store,
    env: t.env,
    logger: silentLogger,
    isConnected: (id) => connected.has(id),
    offlineMinutes: 10,
  })
  const hello = (id = agent.id) =>
    t.store.transact(async (tx) =>
      recordHello(tx, t.env, (await tx.agents.get(id))!, { agentVersion: '1', driver: 'fake', epoch: 'e1' }),
    )
  const decided = (event: string) =>
    Object.values(t.data.notifications)
      .filter((n) => n.event === event)
      .map((n) => n.id)
  return { ...t, agent, connected, watch, hello, decided }
}

describe('agent offline and back', () => {
  it('one alert per silent spell, and one "back" when it connects again', async () => {
    const f = await fixture()
    await f.hello()
    f.connected.add(f.agent.id)
    f.clock.advance(60 * MIN)
    expect(await f.watch.pass()).toBe(0) // connected: however long ago "last seen" was written
    f.connected.delete(f.agent.id)
    const lastSeen = f.data.agents[f.agent.id]!.lastSeenAtMs!
    f.clock.set(lastSeen + 10 * MIN)
    expect(await f.watch.pass()).toBe(0) // exactly 10 minutes is not more than 10
    f.clock.advance(1)
    expect(await f.watch.pass()).toBe(1)
    f.clock.advance(30 * MIN)
    expect(await f.watch.pass()).toBe(0)
    expect(f.decided('agent.offline')).toEqual([`agent.offline/${f.agent.id}/${lastSeen}`])
    const offline = f.data.notifications[`agent.offline/${f.agent.id}/${lastSeen}`]!
    expect(offline.vars).toMatchObject({ agentName: 'tower-1', minutes: '10' })
    // Staff alerts go to the operators' addresses.
    expect(Object.values(f.data.deliveries).map((d) => d.to)).toEqual(['noc@isp.example', 'ops@isp.example'])

    await f.hello()
    await f.hello()
    expect(f.decided('agent.back')).toEqual([`agent.back/${f.agent.id}/${lastSeen}`])
    // A second spell is a new alert, and a new "back".
    const seenAgain = f.data.agents[f.agent.id]!.lastSeenAtMs!
    f.clock.advance(11 * MIN)
    expect(await f.watch.pass()).toBe(1)
    await f.hello()
    expect(f.decided('agent.offline')).toHaveLength(2)
    expect(f.decided('agent.back')).toEqual([
      `agent.back/${f.agent.id}/${lastSeen}`,
      `agent.back/${f.agent.id}/${seenAgain}`,
    ])
  })

  it('no "back" without an offline alert, none for revoked or never-seen agents, none after a restart too soon', async () => {
    const f = await fixture()
    const revoked = (await f.call('POST', '/agents', { name: 'old' })).body
    const never = (await f.call('POST', '/agents', { name: 'boxed' })).body
    await f.hello()
    await f.hello(revoked.id)
    f.clock.advance(5 * MIN)
    await f.hello() // short blips: no alert, no "back"
    expect((await f.call('POST', `/agents/${revoked.id}/revoke`)).status).toBe(200)
    f.clock.advance(60 * MIN)
    // A controller started 5 minutes ago: agents could not connect while it was down.
    const restarted = new AgentWatch({
      store: f.store,
      env: f.env,
      logger: silentLogger,
      isConnected: () => false,
      offlineMinutes: 10,
      startedAtMs: f.clock.now() - 5 * MIN,
    })
    expect(await restarted.pass()).toBe(0)
    f.clock.advance(6 * MIN)
    expect(await restarted.pass()).toBe(1)
    expect(f.decided('agent.offline')).toEqual([
      `agent.offline/${f.agent.id}/${f.data.agents[f.agent.id]!.lastSeenAtMs}`,
    ])
    expect(f.decided('agent.back')).toEqual([])
    expect(never.id).toBeDefined()
  })

  it('0 minutes turns the check off', async () => {
    const f = await fixture()
    await f.hello()
    f.clock.advance(24 * 60 * MIN)
    const off = new AgentWatch({
      store: f.store,
      env: f.env,
      logger: silentLogger,
      isConnected: () => false,
      offlineMinutes: 0,
    })
    expect(await off.pass()).toBe(0)
    expect(f.decided('agent.offline')).toEqual([])
  })
})

describe('webhook refused', () => {
  it('at most one alert per provider and hour', async () => {
    const f = await fixture()
    const deps = { store: f.store, env: f.env, logger: silentLogger }
    f.clock.set(Date.parse('2026-03-10T12:00:00Z'))
    await Promise.all(Array.from({ length: 5 }, () => noteWebhookRefused(deps, 'stripe', 'bad signature')))
    f.clock.set(Date.parse('2026-03-10T12:59:59Z'))
    await noteWebhookRefused(deps, 'stripe', 'bad signature')
    await noteWebhookRefused(deps, 'mpesa', 'unknown order')
    f.clock.set(Date.parse('2026-03-10T13:00:00Z'))
    await noteWebhookRefused(deps, 'stripe', 'bad signature')
    expect(f.decided('webhook.refused').sort()).toEqual([
      'webhook.refused/mpesa/2026-03-10T12',
      'webhook.refused/stripe/2026-03-10T12',
      'webhook.refused/stripe/2026-03-10T13',
    ])
    expect(webhookRefusedKey('stripe', Date.parse('2026-03-10T13:30:00Z'))).toBe(
      'webhook.refused/stripe/2026-03-10T13',
    )
    expect(f.data.notifications['webhook.refused/stripe/2026-03-10T12']!.vars).toMatchObject({
      provider: 'Stripe',
      reason: 'bad signature',
    })
  })
})

describe('store near full', () => {
  it('below 10 % or below 1 GiB free, once a day', async () => {
    const f = await fixture()
    const decide = (freeBytes: number, totalBytes: number) =>
      f.store.transact((tx) => decideStoreNearFull(tx, f.env, { freeBytes, totalBytes }))
    expect(await decide(20 * GIB, 100 * GIB)).toBe(false)
    expect(await decide(10 * GIB, 100 * GIB)).toBe(false)
    expect(await decide(2 * GIB, 4 * GIB)).toBe(false)
    expect(await decide(10 * GIB - 1, 100 * GIB)).toBe(true)
    expect(await decide(GIB - 1, 2 * GIB)).toBe(false) // the same day
    f.clock.advance(24 * 60 * MIN)
    expect(await decide(GIB - 1, 2 * GIB)).toBe(true)
    expect(f.decided('store.near_full')).toEqual(['store.near_full/2026-03-10', 'store.near_full/2026-03-11'])
  })

  it('the watch measures the data directory and decides nothing while there is room', async () => {
    const f = await fixture()
    const dir = await mkdtemp(`${tmpdir()}/capd-space-`)
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const real = await diskSpace(dir)
    expect(real.totalBytes).toBeGreaterThan(0)
    expect(real.freeBytes).toBeLessThanOrEqual(real.totalBytes)
    const seen: string[] = []
    let free = 50 * GIB
    const stop = watchStoreSpace(
      { store: f.store, env: f.env, logger: silentLogger, dataDir: dir },
      async (d) => {
        seen.push(d)
        return { freeBytes: free, totalBytes: 100 * GIB }
      },
    )
    onTestFinished(stop)
    await expect.poll(() => seen).toEqual([dir])
    expect(f.decided('store.near_full')).toEqual([])
    stop()
    free = GIB / 2
    const stop2 = watchStoreSpace(
      { store: f.store, env: f.env, logger: silentLogger, dataDir: dir },
      async () => ({
        freeBytes: free,
        totalBytes: 100 * GIB,
      }),
    )
    onTestFinished(stop2)
    await expect.poll(() => f.decided('store.near_full')).toHaveLength(1)
  })
})
