/**
 * Subscribers known by login on RouterOS: counted on their PPP or hotspot session, blocked and
 * throttled on the session's current address, through re-logins on new addresses — the driver
 * against the RouterOS peer over TCP, the usage engine on its readings, and the product end to end.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  CounterReading,
  CountersCreating,
  RouterDriver,
  SubscriberRule,
} from '../../agent/src/drivers/driver.js'
import { createRouterOsDriver } from '../../agent/src/drivers/routeros/routeros-driver.js'
import { type Baseline, type CreatedCounter, computeDeltas } from '../../agent/src/usage-engine.js'
import { apiClient, must } from './support/api-client.js'
import { killAllControllers, startController } from './support/controller-process.js'
import { startInProcessAgent } from './support/in-process-agent.js'
import { type RouterOsPeer, startRouterOsPeer } from './support/routeros-peer/index.js'
import { waitFor } from './support/wait-for.js'

const USERS = { capd: 'capd-secret' }

let peer: RouterOsPeer
let logs: string[]
let cleanups: (() => Promise<unknown>)[] = []

beforeEach(async () => {
  logs = []
  peer = await startRouterOsPeer({ users: USERS })
  cleanups.push(() => peer.close())
})

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  cleanups = []
})

function driver(): RouterDriver {
  const created = createRouterOsDriver({
    host: peer.host,
    port: peer.port,
    user: 'capd',
    password: USERS.capd,
    timeoutMs: 3000,
    log: (line) => logs.push(line),
  })
  cleanups.push(() => created.close())
  return created
}

const sessions = () => peer.state.sessions
const blocked = () =>
  peer.state.addressLists.items
    .filter((entry) => entry.list === 'capd-blocked')
    .map(({ address, comment }) => ({ address, comment }))
const capdQueues = () =>
  peer.state.queues.items
    .filter((queue) => queue.comment?.startsWith('capd:'))
    .map(({ name, target, 'max-limit': maxLimit }) => ({ name, target, maxLimit }))

const ANA: SubscriberRule = { subscriberId: 'ana', login: 'ana', state: 'open' }
const ROSA: SubscriberRule = { subscriberId: 'rosa', login: 'rosa', state: 'open' }
const STATIC: SubscriberRule = { subscriberId: 'shop', address: '10.9.0.0/24', state: 'open' }

/** A started driver that has applied `rules` once, so it reads sessions from its next reading on. */
async function running(rules: SubscriberRule[], creating?: CountersCreating): Promise<RouterDriver> {
  const d = driver()
  await d.start()
  await d.apply(rules, await d.readCounters(), creating)
  return d
}

/** The usage engine over successive readings, as the agent runs it: what it booked in all. */
function books() {
  const created = new Map<string, CreatedCounter>()
  const engine = { maxBytesPerMs: 1e12, created }
  const baselines = new Map<string, Baseline>()
  const rebase = (id: string, baseline: Baseline) => {
    baselines.set(id, baseline)
    if (created.get(id)?.replaces !== baseline.counterId) created.delete(id)
  }
  const total = new Map<string, { down: bigint; up: bigint }>()
  const anomalies: string[] = []
  return {
    total,
    anomalies,
    /** As the agent records counters the driver says are about to start at zero. */
    creating: async (ids: readonly string[]) => {
      for (const id of ids) {
        const replaces = baselines.get(id)?.counterId
        created.set(id, { atMs: Date.now(), ...(replaces === undefined ? {} : { replaces }) })
      }
    },
    take(reading: CounterReading) {
      const result = computeDeltas(baselines, reading, engine)
      for (const [id, baseline] of result.rebased) rebase(id, baseline)
      for (const delta of result.deltas) {
        rebase(delta.subscriberId, delta.baseline)
        const was = total.get(delta.subscriberId) ?? { down: 0n, up: 0n }
        total.set(delta.subscriberId, { down: was.down + delta.down, up: was.up + delta.up })
      }
      anomalies.push(...result.anomalies)
    },
  }
}

describe('counting by session', () => {
  it('counts a PPPoE session on its interface, and a re-login on a new address from zero: nothing lost or doubled', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    const d = await running([ANA])
    const booked = books()
    booked.take(await d.readCounters()) // first sight: a baseline
    sessions().addBytes('ana', 1_000, 20_000)
    booked.take(await d.readCounters())
    sessions().addBytes('ana', 500, 7_000)
    booked.take(await d.readCounters())

    sessions().pppLogout('ana')
    booked.take(await d.readCounters()) // between sessions: nothing to read
    sessions().pppLogin('ana', '100.64.0.77')
    sessions().addBytes('ana', 300, 4_000) // before the next reading: the new session's first bytes
    const afterRelogin = await d.readCounters()
    expect(afterRelogin.samples.map((s) => s.subscriberId)).toEqual(['ana'])
    booked.take(afterRelogin)
    sessions().addBytes('ana', 200, 1_000)
    booked.take(await d.readCounters())

    expect(booked.total.get('ana')).toEqual({
      up: 1_000n + 500n + 300n + 200n,
      down: 20_000n + 7_000n + 4_000n + 1_000n,
    })
    expect(booked.anomalies).toEqual([])
  })

  it("counts a subscriber's first session from its login when capd knew the subscriber before it", async () => {
    const booked = books()
    const d = await running([ANA], booked.creating) // no session yet: the next one starts at zero
    sessions().pppLogin('ana', '100.64.0.10')
    sessions().addBytes('ana', 40, 800)
    booked.take(await d.readCounters())
    expect(booked.total.get('ana')).toEqual({ up: 40n, down: 800n })
  })

  it('counts a hotspot session by its bytes-out (download) and bytes-in (upload)', async () => {
    sessions().hotspotLogin('rosa', '10.5.50.3')
    const d = await running([ROSA])
    const booked = books()
    booked.take(await d.readCounters())
    sessions().addBytes('rosa', 111, 2_222)
    booked.take(await d.readCounters())
    sessions().hotspotLogout('rosa')
    sessions().hotspotLogin('rosa', '10.5.50.9')
    sessions().addBytes('rosa', 10, 20)
    booked.take(await d.readCounters())
    expect(booked.total.get('rosa')).toEqual({ up: 121n, down: 2_242n })
  })

  it('leaves a session capd first sees already running as a baseline (it may hold another period)', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    sessions().addBytes('ana', 5_000, 90_000)
    const d = await running([ANA])
    const booked = books()
    booked.take(await d.readCounters())
    expect(booked.total.size).toBe(0)
  })

  it('counts only the session that began first when a login has two, and blocks both addresses', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    sessions().hotspotLogin('ana', '10.5.50.3')
    const d = await running([{ ...ANA, state: 'blocked' }])
    const reading = await d.readCounters()
    expect(reading.samples).toHaveLength(1)
    // Both sessions' addresses are blocked.
    expect(
      blocked()
        .map((e) => e.address)
        .sort(),
    ).toEqual(['10.5.50.3', '100.64.0.10'])
  })

  it('counts no PPP session of a login that has two (their interfaces cannot be told apart), and says why', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    sessions().pppLogin('ana', '100.64.0.11')
    const d = await running([{ ...ANA, state: 'blocked' }])
    expect((await d.readCounters()).samples).toEqual([])
    expect(logs.some((line) => line.includes('login "ana" has 2 PPP sessions'))).toBe(true)
    expect(
      blocked()
        .map((e) => e.address)
        .sort(),
    ).toEqual(['100.64.0.10', '100.64.0.11'])
  })

  it('fails the reading, changing nothing, when a session menu refuses the read', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    const d = await running([{ ...ANA, state: 'blocked' }])
    expect(blocked()).toHaveLength(1)
    peer.faults.trapOn = { command: '/ppp/active/print', message: 'not enough permissions (9)' }
    await expect(d.readCounters()).rejects.toThrow(/not enough permissions/)
    await expect(
      d.apply([{ ...ANA, state: 'blocked' }], { atMs: 0, bootId: '', samples: [] }),
    ).rejects.toThrow(/not enough permissions/)
    expect(blocked()).toHaveLength(1)
  })

  it('reads no session menus while every subscriber has an address', async () => {
    const d = await running([STATIC])
    await d.readCounters()
    expect(peer.received.some(({ words }) => words[0] === '/ppp/active/print')).toBe(false)
  })
})

describe('random logins, logouts, traffic and readings', () => {
  const seed = Number(process.env.CAPD_TEST_SEED ?? Date.now() % 1_000_000)

  it(`books exactly what each session had at its last reading, whatever the order (seed ${seed})`, async () => {
    const random = seededRandom(seed)
    const subscribers = [ANA, ROSA, { subscriberId: 'lia', login: 'lia', state: 'open' as const }]
    const booked = books()
    const d = await running(subscribers, booked.creating)
    /** Per login: the open session's bytes now and at its last reading, and what earlier sessions had when last read. */
    const model = new Map(
      subscribers.map((s) => [s.login!, { open: false, hotspot: false, now: 0n, read: 0n, done: 0n }]),
    )
    let address = 10
    for (let step = 0; step < 300; step++) {
      const login = subscribers[random.int(0, subscribers.length - 1)]!.login!
      const m = model.get(login)!
      const roll = random.int(0, 9)
      if (!m.open && roll < 4) {
        m.hotspot = random.int(0, 1) === 1
        const at = `100.64.${random.int(0, 3)}.${address++ % 250}`
        if (m.hotspot) sessions().hotspotLogin(login, at)
        else sessions().pppLogin(login, at)
        Object.assign(m, { open: true, now: 0n, read: 0n })
      } else if (m.open && roll === 4) {
        if (m.hotspot) sessions().hotspotLogout(login)
        else sessions().pppLogout(login)
        // The bytes since its last reading went with it.
        Object.assign(m, { open: false, done: m.done + m.read })
      } else if (m.open && roll < 8) {
        const bytes = random.int(1, 100_000)
        sessions().addBytes(login, 0, bytes)
        m.now += BigInt(bytes)
      } else {
        const reading = await d.readCounters()
        booked.take(reading)
        for (const each of model.values()) if (each.open) each.read = each.now
        if (random.int(0, 3) === 0) await d.apply(subscribers, reading, booked.creating)
      }
    }
    booked.take(await d.readCounters())
    for (const each of model.values()) if (each.open) each.read = each.now
    for (const [login, m] of model) {
      expect(booked.total.get(login)?.down ?? 0n, login).toBe(m.done + (m.open ? m.read : 0n))
    }
    expect(booked.anomalies).toEqual([])
  })
})

describe('enforcing on the current address', () => {
  it('blocks the session address, follows a re-login to the new one with one set, and lets go at logout', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    const d = await running([{ ...ANA, state: 'blocked' }])
    expect(blocked()).toEqual([{ address: '100.64.0.10', comment: 'capd:ana' }])

    sessions().pppLogout('ana')
    sessions().pppLogin('ana', '100.64.0.77')
    const mark = peer.received.length
    await d.apply([{ ...ANA, state: 'blocked' }], await d.readCounters())
    expect(blocked()).toEqual([{ address: '100.64.0.77', comment: 'capd:ana' }])
    expect(peer.received.slice(mark).map(({ words }) => words[0])).toContain('/ip/firewall/address-list/set')

    sessions().pppLogout('ana')
    await d.apply([{ ...ANA, state: 'blocked' }], await d.readCounters())
    expect(blocked()).toEqual([]) // the pool may give the address to someone else

    sessions().pppLogin('ana', '100.64.0.12')
    await d.apply([{ ...ANA, state: 'open' }], await d.readCounters())
    expect(blocked()).toEqual([])
  })

  it('never books a throttle queue: given an address later, the subscriber counts on a new queue from zero', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    const booked = books()
    const d = await running([ANA], booked.creating)
    booked.take(await d.readCounters())
    const throttled = { ...ANA, state: 'throttled' as const, throttleKbps: 512 }
    await d.apply([throttled], await d.readCounters(), booked.creating)
    booked.take(await d.readCounters())
    // Traffic while throttled passes the session and its throttle queue alike.
    sessions().addBytes('ana', 1_000, 50_000)
    peer.addBytes('capd:ana', 1_000, 50_000)
    booked.take(await d.readCounters())
    // A restarted driver whose first apply has not run yet still does not read the throttle queue.
    expect((await driver().readCounters()).samples).toEqual([])

    await d.apply([{ ...throttled, address: '100.64.0.10' }], await d.readCounters(), booked.creating)
    booked.take(await d.readCounters())
    peer.addBytes('capd:ana', 10, 20)
    booked.take(await d.readCounters())
    expect(booked.total.get('ana')).toEqual({ up: 1_010n, down: 50_020n })
    expect(booked.anomalies).toEqual([])
  })

  it('gives a session address entry an hour that is renewed while the agent runs, and lapses if it stops', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    const d = await running([{ ...ANA, state: 'blocked' }])
    const entry = () => peer.state.addressLists.items.find((e) => e.list === 'capd-blocked')
    await d.readCounters()
    expect(entry()).toMatchObject({
      address: '100.64.0.10',
      dynamic: 'true',
      timeout: expect.stringMatching(/^59m5\ds$|^1h$/),
    })

    peer.state.advanceEntries(20 * 60_000) // 40 min left: kept as it is
    let mark = peer.received.length
    await d.apply([{ ...ANA, state: 'blocked' }], await d.readCounters())
    expect(peer.received.slice(mark).some(({ words }) => words[0]!.endsWith('/set'))).toBe(false)
    peer.state.advanceEntries(15 * 60_000) // 25 min left: renewed
    mark = peer.received.length
    await d.apply([{ ...ANA, state: 'blocked' }], await d.readCounters())
    expect(peer.received.slice(mark).some(({ words }) => words[0] === '/ip/firewall/address-list/set')).toBe(
      true,
    )
    await d.readCounters()
    expect(entry()?.timeout).toMatch(/^59m5\ds$|^1h$/)

    // The agent stops; the session ends and its address may go to another customer.
    peer.state.advanceEntries(61 * 60_000)
    await d.readCounters()
    expect(blocked()).toEqual([])
  })

  it('makes a lapsing entry permanent again when the subscriber gets an address', async () => {
    sessions().pppLogin('ana', '100.64.0.10')
    const d = await running([{ ...ANA, state: 'blocked' }])
    await d.apply([{ ...ANA, address: '100.64.0.10', state: 'blocked' }], await d.readCounters())
    await d.readCounters()
    const entries = peer.state.addressLists.items.filter((e) => e.list === 'capd-blocked')
    expect(entries).toHaveLength(1)
    expect(entries[0]!.dynamic).toBe('false')
    expect(entries[0]!.timeout).toBeUndefined()

    // Given another address, the lapsing entry is not moved there: a permanent one is added.
    await d.apply([{ ...ANA, state: 'blocked' }], await d.readCounters())
    await d.apply([{ ...ANA, address: '10.9.9.9', state: 'blocked' }], await d.readCounters())
    await d.readCounters()
    expect(peer.state.addressLists.items.filter((e) => e.list === 'capd-blocked')).toEqual([
      expect.objectContaining({ address: '10.9.9.9', dynamic: 'false' }),
    ])
    expect(peer.state.addressLists.items.find((e) => e.list === 'capd-blocked')?.timeout).toBeUndefined()
  })

  it('throttles with a queue on the session address only while throttled, and warns about a rate-limited session queue', async () => {
    sessions().pppLogin('ana', '100.64.0.10', { rateLimit: '10M/50M' })
    const d = await running([{ ...ANA, state: 'throttled', throttleKbps: 512 }])
    expect(capdQueues()).toEqual([{ name: 'capd:ana', target: '100.64.0.10/32', maxLimit: '512000/512000' }])
    expect(logs.some((line) => line.includes('dynamic queue "<pppoe-ana>"'))).toBe(true)

    sessions().pppLogout('ana')
    sessions().pppLogin('ana', '100.64.0.20')
    await d.apply([{ ...ANA, state: 'throttled', throttleKbps: 512 }], await d.readCounters())
    expect(capdQueues()).toEqual([{ name: 'capd:ana', target: '100.64.0.20/32', maxLimit: '512000/512000' }])

    await d.apply([ANA], await d.readCounters())
    expect(capdQueues()).toEqual([])
  })

  it('never blocks an address a subscriber with an address holds, and says so', async () => {
    sessions().pppLogin('ana', '10.9.0.7') // inside the shop's /24: a misconfigured pool
    await running([STATIC, { ...ANA, state: 'blocked' }])
    expect(blocked()).toEqual([])
    expect(
      logs.some((line) =>
        /session address 10\.9\.0\.7 of login "ana" overlaps subscriber shop \(10\.9\.0\.0\/24\)/.test(line),
      ),
    ).toBe(true)
  })

  it('skips a rule with neither address nor login, saying why', async () => {
    const d = driver()
    await d.start()
    const report = await d.apply([{ subscriberId: 'nobody', state: 'open' }], await d.readCounters())
    expect(report.skipped).toEqual([expect.objectContaining({ subscriberId: 'nobody', code: 'no_address' })])
  })
})

describe('end to end: a PPPoE subscriber known by login', () => {
  const TOKEN = 'e2e-routeros-sessions-admin-token-0123456789'
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-routeros-sessions-'))
  })
  afterEach(async () => {
    await killAllControllers()
    await rm(dir, { recursive: true, force: true })
  })

  it('is counted, re-logs in on a new address (nothing lost or doubled), is blocked there at the cap, and a top-up restores it', {
    timeout: 90_000,
  }, async () => {
    const controller = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
    })
    const call = apiClient(controller.baseUrl, TOKEN)
    const enrolled = must(await call('POST', '/agents', { name: 'bras-1' }), 201)
    const plan = must(
      await call('POST', '/plans', { name: '10 MB', capBytes: 10_000_000, onCap: 'block' }),
      201,
    )
    // No address: the router's sessions say where the subscriber is.
    const sub = must(
      await call('POST', '/subscribers', {
        name: 'Ana',
        login: 'ana',
        planId: plan.id,
        agentId: enrolled.id,
      }),
      201,
    )
    expect(sub.address).toBeUndefined()

    const { agent, log: agentLog } = await startInProcessAgent({
      controllerUrl: controller.baseUrl,
      token: enrolled.token,
      dir,
      driver: driver(),
    })
    cleanups.push(() => agent.stop())
    const used = async () => must(await call('GET', `/subscribers/${sub.id}`), 200).usage.usedBytes as number
    const state = async () => must(await call('GET', `/subscribers/${sub.id}`), 200).state as string
    await waitFor('the agent to hold the subscriber', () => agent.snapshot().books[sub.id] !== undefined)
    // Its first poll with the subscriber known reads the session menus: logged in only now.
    await waitFor('the agent to read sessions', () =>
      peer.received.some(({ words }) => words[0] === '/ppp/active/print'),
    )
    sessions().pppLogin('ana', '100.64.0.10')
    sessions().addBytes('ana', 200_000, 3_000_000)
    await waitFor('3.2 MB booked', async () => (await used()) === 3_200_000)

    sessions().addBytes('ana', 100_000, 1_000_000)
    await waitFor('4.3 MB booked', async () => (await used()) === 4_300_000)
    sessions().pppLogout('ana')
    await new Promise((resolve) => setTimeout(resolve, 500))
    sessions().pppLogin('ana', '100.64.0.77')
    sessions().addBytes('ana', 50_000, 2_000_000)
    await waitFor('6.35 MB booked', async () => (await used()) === 6_350_000)
    expect(blocked()).toEqual([])

    sessions().addBytes('ana', 150_000, 3_500_000)
    await waitFor('the new address in capd-blocked', () => blocked().some((e) => e.address === '100.64.0.77'))
    expect(blocked()).toEqual([{ address: '100.64.0.77', comment: `capd:${sub.id}` }])
    await waitFor('the controller to show Ana blocked', async () => (await state()) === 'blocked')
    expect(await used()).toBe(10_000_000)

    must(
      await call(
        'POST',
        `/subscribers/${sub.id}/topups`,
        { bytes: 50_000_000, price: { amount: 500, currency: 'USD' } },
        { 'Idempotency-Key': 'routeros-sessions-e2e-1' },
      ),
      201,
    )
    await waitFor('the address out of capd-blocked', () => blocked().length === 0)
    await waitFor('the controller to show Ana open', async () => (await state()) === 'open')
    expect(agentLog.filter((line) => /anomaly|failed|re-created/.test(line))).toEqual([])
  })
})
