/**
 * The RouterOS driver against the RouterOS peer over real TCP: counting, blocking, throttling, the
 * filter rules, diff-before-apply, the faults a real network and router produce, counter
 * generations through the usage engine, and the product end to end with a real controller.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import {
  createRouterOsSession,
  RouterOsClosed,
  RouterOsLoginError,
  RouterOsTimeout,
} from '../../agent/src/drivers/routeros/api/index.js'
import { RouterOsApplyError } from '../../agent/src/drivers/routeros/execute.js'
import {
  createRouterOsDriver,
  type RouterOsDriverOptions,
} from '../../agent/src/drivers/routeros/routeros-driver.js'
import { type Baseline, computeDeltas } from '../../agent/src/usage-engine.js'
import { apiClient, must } from './support/api-client.js'
import { killAllControllers, startController } from './support/controller-process.js'
import { startInProcessAgent } from './support/in-process-agent.js'
import {
  type Item,
  type RouterOsPeer,
  type RouterOsPeerOptions,
  startRouterOsPeer,
} from './support/routeros-peer/index.js'

const USERS = { capd: 'capd-secret' }

/** Anything that escaped as an uncaught exception or unhandled rejection fails the test it happened in. */
const escaped: unknown[] = []
const record = (error: unknown) => escaped.push(error)
beforeAll(() => {
  process.on('uncaughtException', record)
  process.on('unhandledRejection', record)
})
afterAll(() => {
  process.off('uncaughtException', record)
  process.off('unhandledRejection', record)
})

let peer: RouterOsPeer
let logs: string[]
let cleanups: (() => Promise<unknown>)[] = []

async function startPeer(options: Partial<RouterOsPeerOptions> = {}): Promise<RouterOsPeer> {
  const started = await startRouterOsPeer({ users: USERS, ...options })
  cleanups.push(() => started.close())
  return started
}

function driver(extra: Partial<RouterOsDriverOptions> = {}): RouterDriver {
  const created = createRouterOsDriver({
    host: peer.host,
    port: peer.port,
    user: 'capd',
    password: USERS.capd,
    timeoutMs: 3000,
    log: (line) => logs.push(line),
    ...extra,
  })
  cleanups.push(() => created.close())
  return created
}

/** A started driver with `rules` applied, and the reading it applied them with. */
async function running(rules: SubscriberRule[], extra: Partial<RouterOsDriverOptions> = {}) {
  const d = driver(extra)
  await d.start()
  await d.apply(rules, await d.readCounters())
  return d
}

async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Commands the peer received from `mark` on that change something. */
const changesSince = (mark: number) =>
  peer.received
    .slice(mark)
    .map(({ words }) => words[0]!)
    .filter((command) => /\/(add|set|remove|move|reset-counters)$/.test(command))
const logins = () => peer.received.filter(({ words }) => words[0] === '/login').length
const queueNamed = (name: string) => peer.state.queues.items.find((queue) => queue.name === name)
const blocked = () =>
  peer.state.addressLists.items
    .filter((entry) => entry.list === 'capd-blocked')
    .map(({ address, comment }) => ({ address, comment }))
const sample = (reading: CounterReading, subscriberId: string) =>
  reading.samples.find((s) => s.subscriberId === subscriberId)

const ALICE: SubscriberRule = { subscriberId: 'alice', address: '10.0.0.5', state: 'open' }
const BOB: SubscriberRule = { subscriberId: 'bob', address: '2001:db8:5::/64', state: 'open' }

beforeEach(async () => {
  escaped.length = 0
  logs = []
  peer = await startPeer()
})

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  cleanups = []
  expect(escaped).toEqual([])
})

describe('counting', () => {
  it('reads each queue: upload is up, download is down, exact past 2^53', async () => {
    const d = await running([ALICE, BOB])
    expect(queueNamed('capd:alice')).toMatchObject({
      target: '10.0.0.5/32',
      comment: 'capd:alice',
      'max-limit': '0/0',
    })
    expect(queueNamed('capd:bob')).toMatchObject({ target: '2001:db8:5::/64', comment: 'capd:bob' })

    const up = 2n ** 53n + 1n
    const down = 2n ** 64n - 1n
    peer.setBytes('capd:alice', up, down)
    peer.addBytes('capd:bob', 10, 20_000)
    const reading = await d.readCounters()
    expect(sample(reading, 'alice')).toEqual({
      subscriberId: 'alice',
      counterId: `ros:${queueNamed('capd:alice')!['.id']}`,
      up,
      down,
    })
    expect(sample(reading, 'bob')).toMatchObject({ up: 10n, down: 20_000n })
    expect(sample(reading, 'alice')).not.toHaveProperty('quotaSpent')
    expect(reading.startedAtMs).toBeLessThanOrEqual(reading.atMs)

    peer.setBytes('capd:alice', up, 2n ** 60n)
    peer.addBytes('capd:alice', 1, 3)
    expect(sample(await d.readCounters(), 'alice')).toMatchObject({ up: up + 1n, down: 2n ** 60n + 3n })
  })

  it('blocks with a capd-blocked entry and unblocks by removing it', async () => {
    const d = await running([ALICE, { subscriberId: 'carol', address: '10.0.1.0/30', state: 'open' }])
    expect(blocked()).toEqual([])
    await d.apply(
      [
        { ...ALICE, state: 'blocked' },
        { subscriberId: 'carol', address: '10.0.1.0/30', state: 'blocked' },
      ],
      await d.readCounters(),
    )
    expect(blocked()).toEqual([
      { address: '10.0.0.5', comment: 'capd:alice' },
      { address: '10.0.1.0/30', comment: 'capd:carol' },
    ])
    await d.apply(
      [ALICE, { subscriberId: 'carol', address: '10.0.1.0/30', state: 'blocked' }],
      await d.readCounters(),
    )
    expect(blocked()).toEqual([{ address: '10.0.1.0/30', comment: 'capd:carol' }])
  })

  it('skips a bad or overlapping rule and still blocks everyone else, reporting what it skipped', async () => {
    const d = await running([ALICE, BOB])
    const wide: SubscriberRule = { subscriberId: 'wide', address: '10.0.0.0/16', state: 'blocked' }
    const catchAll: SubscriberRule = { subscriberId: 'all', address: '::/0', state: 'blocked' }
    const report = await d.apply(
      [{ ...ALICE, state: 'blocked' }, BOB, wide, catchAll],
      await d.readCounters(),
    )
    expect(report.skipped.map(({ subscriberId, code }) => ({ subscriberId, code }))).toEqual([
      { subscriberId: 'all', code: 'invalid_address' },
      { subscriberId: 'wide', code: 'address_overlap' },
    ])
    expect(blocked()).toEqual([{ address: '10.0.0.5', comment: 'capd:alice' }])
    expect(queueNamed('capd:wide')).toBeUndefined()
    expect(queueNamed('capd:all')).toBeUndefined()
    // A top-up for Alice gets through though the bad rules are still listed.
    await d.apply([ALICE, BOB, wide, catchAll], await d.readCounters())
    expect(blocked()).toEqual([])
  })

  it('without an IPv6 firewall on the router, an IPv6 block is reported and the rest still applied', async () => {
    const d = await running([ALICE, BOB])
    await d.apply(
      [
        { ...ALICE, state: 'blocked' },
        { ...BOB, state: 'blocked' },
      ],
      await d.readCounters(),
    )
    expect(blocked()).toEqual([{ address: '10.0.0.5', comment: 'capd:alice' }])
    expect(logs).toContainEqual(
      expect.stringMatching(/capd:bob: cannot block 2001:db8:5::\/64: .*no IPv6 firewall/),
    )
  })

  it("throttles with the queue's max-limit (bits/s both ways) and clears it to 0/0", async () => {
    const d = await running([ALICE])
    await d.apply([{ ...ALICE, state: 'throttled', throttleKbps: 2048 }], await d.readCounters())
    expect(queueNamed('capd:alice')!['max-limit']).toBe('2048000/2048000')
    await d.apply([ALICE], await d.readCounters())
    expect(queueNamed('capd:alice')!['max-limit']).toBe('0/0')
  })
})

describe('filter rules', () => {
  /** RouterOS 7's default forward chain, in brief, plus an input rule. */
  function addDefaults(): Item[] {
    const add = (values: Record<string, string>) => peer.state.filters.add(values)
    add({ chain: 'input', 'connection-state': 'established,related,untracked', comment: 'defconf: input' })
    add({ chain: 'forward', comment: 'defconf: accept ipsec' })
    add({
      chain: 'forward',
      action: 'fasttrack-connection',
      'connection-state': 'established,related',
      comment: 'defconf: fasttrack',
    })
    add({
      chain: 'forward',
      'connection-state': 'established,related,untracked',
      comment: 'defconf: established',
    })
    add({ chain: 'forward', action: 'drop', 'connection-state': 'invalid', comment: 'defconf: drop invalid' })
    return structuredClone(peer.state.filters.items)
  }
  const comments = () => peer.state.filters.items.map((rule) => rule.comment)
  const ours = () => peer.state.filters.items.filter((rule) => rule.comment?.startsWith('capd:'))

  it('adds the drop rules above FastTrack when missing, touching no other rule', async () => {
    const before = addDefaults()
    await driver().start()
    expect(comments()).toEqual([
      'defconf: input',
      'defconf: accept ipsec',
      'capd:drop-blocked-src',
      'capd:drop-blocked-dst',
      'defconf: fasttrack',
      'defconf: established',
      'defconf: drop invalid',
    ])
    expect(ours()).toMatchObject([
      { chain: 'forward', action: 'drop', 'src-address-list': 'capd-blocked', disabled: 'false' },
      { chain: 'forward', action: 'drop', 'dst-address-list': 'capd-blocked', disabled: 'false' },
    ])
    expect(peer.state.filters.items.filter((rule) => !ours().includes(rule))).toEqual(before)
    expect(logs.filter((line) => /FastTrack/.test(line))).toEqual([
      expect.stringMatching(/rule \*3 .*FastTracks connections.*skip simple queues/),
    ])
  })

  it('leaves them alone when present, and moves them back above FastTrack when moved below', async () => {
    addDefaults()
    await driver().start()
    let mark = peer.received.length
    await driver().start()
    expect(changesSince(mark)).toEqual([])

    const [src] = ours()
    peer.state.filters.move(src!['.id']!)
    mark = peer.received.length
    await driver().start()
    expect(changesSince(mark)).toEqual(['/ip/firewall/filter/move'])
    expect(comments().indexOf('capd:drop-blocked-src')).toBeLessThan(comments().indexOf('defconf: fasttrack'))
  })

  it('with manageFilterRule off: adds nothing and says what is missing', async () => {
    const before = addDefaults()
    await driver({ manageFilterRule: false }).start()
    expect(peer.state.filters.items).toEqual(before)
    expect(logs.filter((line) => /no enabled rule in chain forward drops/.test(line))).toHaveLength(2)
  })
})

describe('diff before apply', () => {
  it('sends no add, set or remove when nothing differs, with or without a fresh listing', async () => {
    const rules: SubscriberRule[] = [
      { ...ALICE, state: 'blocked' },
      { ...BOB, state: 'throttled', throttleKbps: 1000 },
      { subscriberId: 'carol', address: '10.0.1.0/30', state: 'open' },
    ]
    const d = await running(rules)
    const mark = peer.received.length
    const reading = await d.readCounters()
    await d.apply(rules, reading)
    await d.apply(rules, reading)
    await d.apply(rules, { ...reading })
    expect(peer.received.length).toBeGreaterThan(mark)
    expect(changesSince(mark)).toEqual([])

    // Edited by hand: disabled, another rate. One set puts it right, and only that.
    const alice = queueNamed('capd:alice')!['.id']!
    peer.state.queues.set(alice, { disabled: 'yes', 'max-limit': '1M/1M' })
    const edited = peer.received.length
    await d.apply(rules, await d.readCounters())
    expect(changesSince(edited)).toEqual(['/queue/simple/set'])
    expect(queueNamed('capd:alice')).toMatchObject({ disabled: 'false', 'max-limit': '0/0' })
  })

  it("removing a subscriber removes only its queue and entry, nobody else's and nothing foreign", async () => {
    peer.state.queues.add({ name: 'uplink', target: '10.0.0.0/8', 'max-limit': '1G/1G' })
    peer.state.addressLists.add({ list: 'capd-blocked', address: '10.66.0.1', comment: 'blocked by hand' })
    peer.state.addressLists.add({ list: 'other', address: '10.0.0.5', comment: 'capd:alice' })
    const carol: SubscriberRule = { subscriberId: 'carol', address: '10.0.1.0/30', state: 'blocked' }
    const d = await running([{ ...ALICE, state: 'blocked' }, carol])
    const before = {
      queues: structuredClone(peer.state.queues.items),
      lists: structuredClone(peer.state.addressLists.items),
      filters: structuredClone(peer.state.filters.items),
    }
    const mark = peer.received.length
    await d.apply([carol], await d.readCounters())
    expect(changesSince(mark).sort()).toEqual(['/ip/firewall/address-list/remove', '/queue/simple/remove'])
    expect(peer.state.queues.items).toEqual(before.queues.filter((queue) => queue.name !== 'capd:alice'))
    expect(peer.state.addressLists.items).toEqual(
      before.lists.filter((entry) => entry.comment !== 'capd:alice' || entry.list !== 'capd-blocked'),
    )
    expect(peer.state.filters.items).toEqual(before.filters)
  })

  it('adopts an existing queue only when configured, and hands it back as it was', async () => {
    const operator = {
      name: 'customer-7',
      target: '10.0.0.5/32',
      'max-limit': '10M/50M',
      comment: 'Ana, room 4',
    }
    // A PPPoE session's dynamic queue first: it can never be adopted.
    peer.state.queues.add({ name: '<pppoe-ana>', target: '10.0.0.5/32', dynamic: 'true' })
    peer.state.queues.add(operator)
    peer.setBytes('customer-7', 5_000, 900_000)

    const plain = await running([ALICE])
    expect(peer.state.queues.items.map((queue) => queue.name)).toEqual([
      '<pppoe-ana>',
      'customer-7',
      'capd:alice',
    ])
    expect(logs).toContainEqual(expect.stringMatching(/customer-7.*same target.*count nothing/))
    await plain.apply([], await plain.readCounters())

    const adopting = await running([ALICE], { adoptExistingQueues: true })
    expect(peer.state.queues.items).toHaveLength(2)
    expect(logs).toContainEqual(expect.stringMatching(/"<pppoe-ana>" \(\*1, dynamic\) has the same target/))
    const adopted = queueNamed('capd:alice')!
    expect(adopted).toMatchObject({ target: '10.0.0.5/32', 'max-limit': '10000000/50000000', bytes: '0/0' })
    expect(adopted.comment).toMatch(/^capd:alice adopted \{/)
    await adopting.apply(
      [{ ...ALICE, state: 'throttled', throttleKbps: 20_000 }],
      await adopting.readCounters(),
    )
    expect(queueNamed('capd:alice')!['max-limit']).toBe('10000000/20000000')

    await adopting.apply([], await adopting.readCounters())
    expect(peer.state.queues.items[1]).toEqual({ ...adopted, ...operator, 'max-limit': '10000000/50000000' })
  })
})

describe('faults', () => {
  it('!empty replies (RouterOS ≥ 7.18) and plain !done (older) are empty listings, not crashes', async () => {
    for (const emptyReplies of [true, false]) {
      peer.state.emptyReplies = emptyReplies
      const d = driver()
      await d.start()
      const reading = await d.readCounters()
      expect(reading.samples).toEqual([])
      await d.apply([], reading)
      await d.close()
    }
    expect(peer.sent.filter(({ words }) => words[0] === '!empty').length).toBeGreaterThanOrEqual(2)
  })

  it('reads and applies the same with replies split into 1–3 byte TCP chunks', {
    timeout: 60_000,
  }, async () => {
    const rules = Array.from(
      { length: 20 },
      (_, i): SubscriberRule => ({
        subscriberId: `s${i}`,
        address: `10.1.0.${i}`,
        state: i % 3 === 0 ? 'blocked' : 'open',
      }),
    )
    peer.faults.splitChunks = [1, 3]
    const d = await running(rules)
    for (const [i, rule] of rules.entries())
      peer.setBytes(`capd:${rule.subscriberId}`, 2n ** 62n + BigInt(i), i)
    const reading = await d.readCounters()
    expect(reading.samples).toHaveLength(20)
    for (const [i, rule] of rules.entries()) {
      expect(sample(reading, rule.subscriberId)).toMatchObject({ up: 2n ** 62n + BigInt(i), down: BigInt(i) })
    }
    expect(blocked()).toHaveLength(7)
  })

  it('a RST mid-reply fails that apply or read; the next call reconnects and converges', {
    timeout: 20_000,
  }, async () => {
    const d = await running([ALICE])
    const reading = await d.readCounters()
    peer.faults.resetMidReply = true
    const apply = d.apply([{ ...ALICE, state: 'blocked' }], reading)
    await expect(apply).rejects.toBeInstanceOf(RouterOsApplyError)
    await expect(apply).rejects.toMatchObject({ cause: expect.any(RouterOsClosed) })
    peer.faults.resetMidReply = false
    const afterApply = await d.readCounters()
    expect(logins()).toBe(2)

    peer.faults.resetMidReply = true
    const read = d.readCounters()
    await expect(read).rejects.toThrow(/reading counters: .*(closed|ECONNRESET)/)
    await expect(read).rejects.toMatchObject({ cause: expect.any(RouterOsClosed) })
    peer.faults.resetMidReply = false
    // The block the first apply was cut off from (it may or may not have reached the router) converges.
    await d.apply([{ ...ALICE, state: 'blocked' }], afterApply)
    expect(blocked()).toEqual([{ address: '10.0.0.5', comment: 'capd:alice' }])
    expect(logins()).toBe(3)
  })

  it('a silent router: the read times out instead of hanging, and the next read reconnects', {
    timeout: 20_000,
  }, async () => {
    const d = await running([ALICE], { timeoutMs: 300 })
    peer.faults.silent = true
    const started = Date.now()
    const read = d.readCounters()
    await expect(read).rejects.toMatchObject({ cause: expect.any(RouterOsTimeout) })
    await expect(read).rejects.toThrow(/no reply within 300 ms/)
    expect(Date.now() - started).toBeLessThan(3000)
    peer.faults.silent = false
    await until('the silent connection to be dropped', () => peer.connections === 0)
    expect(sample(await d.readCounters(), 'alice')).toBeDefined()
    expect(logins()).toBe(2)
  })

  it('bad credentials: start fails naming the login, and the session stays failed without dialing again', async () => {
    const d = driver({ password: 'wrong' })
    const start = d.start()
    await expect(start).rejects.toThrow(
      /routeros 127\.0\.0\.1:\d+: start: RouterOS refused the login of "capd": invalid user name or password/,
    )
    await expect(start).rejects.toMatchObject({ cause: expect.any(RouterOsLoginError) })
    await expect(d.readCounters()).rejects.toMatchObject({ cause: expect.any(RouterOsLoginError) })
    expect(logins()).toBe(1)
  })

  it('an injected session is used as it is (and left to its owner)', async () => {
    const session = createRouterOsSession({
      host: peer.host,
      port: peer.port,
      user: 'capd',
      password: USERS.capd,
    })
    cleanups.push(() => session.close())
    const d = driver({ session })
    await d.start()
    await d.close()
    expect(session.state).toBe('open')
  })
})

describe('counter generations', () => {
  const engine = { maxBytesPerMs: 1e15, created: new Map() }
  const baselinesOf = (reading: CounterReading) =>
    new Map<string, Baseline>(computeDeltas(new Map(), reading, engine).rebased)

  it('a queue removed and added again by hand is a new counter: no delta spans it', async () => {
    const d = await running([ALICE])
    peer.setBytes('capd:alice', 1_000, 50_000)
    const first = await d.readCounters()
    const baselines = baselinesOf(first)

    const old = queueNamed('capd:alice')!
    peer.state.queues.remove(old['.id']!)
    peer.state.queues.add({ name: 'capd:alice', target: '10.0.0.5/32', comment: 'capd:alice' })
    peer.setBytes('capd:alice', 2_000, 80_000) // larger than before: only the identity tells
    const second = await d.readCounters()
    expect(sample(second, 'alice')!.counterId).not.toBe(sample(first, 'alice')!.counterId)
    expect(second.bootId).toBe(first.bootId)
    const result = computeDeltas(baselines, second, engine)
    expect(result.deltas).toEqual([])
    expect(result.anomalies).toEqual([expect.stringMatching(/counter re-created/)])

    for (const [id, baseline] of result.rebased) baselines.set(id, baseline)
    peer.addBytes('capd:alice', 7, 9)
    expect(computeDeltas(baselines, await d.readCounters(), engine).deltas).toMatchObject([
      { up: 7n, down: 9n },
    ])
  })

  it('a reboot is a new boot id and new counter ids: no delta spans it, and counting resumes', {
    timeout: 20_000,
  }, async () => {
    const d = await running([ALICE])
    peer.state.bootAtMs -= 3 * 3600_000
    peer.setBytes('capd:alice', 1_000, 50_000)
    const first = await d.readCounters()
    const baselines = baselinesOf(first)

    peer.reboot()
    peer.setBytes('capd:alice', 3_000, 90_000)
    // The reboot reset the connection; a read racing the reset may fail, the one after reconnects.
    const second = await d.readCounters().catch(() => d.readCounters())
    expect(second.bootId).not.toBe(first.bootId)
    expect(sample(second, 'alice')!.counterId).not.toBe(sample(first, 'alice')!.counterId)
    const result = computeDeltas(baselines, second, engine)
    expect(result.deltas).toEqual([])
    expect(result.anomalies).toEqual([expect.stringMatching(/rebooted/)])

    // After a reboot the filter rules are checked again, at the next apply.
    const mark = peer.received.length
    await d.apply([ALICE], second)
    expect(peer.received.slice(mark).map(({ words }) => words[0])).toContain('/ip/firewall/filter/print')
    for (const [id, baseline] of result.rebased) baselines.set(id, baseline)
    peer.addBytes('capd:alice', 11, 13)
    expect(computeDeltas(baselines, await d.readCounters(), engine).deltas).toMatchObject([
      { up: 11n, down: 13n },
    ])
  })
})

describe('end to end', () => {
  const TOKEN = 'e2e-routeros-admin-token-0123456789abcdef'
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-routeros-e2e-'))
  })
  afterEach(async () => {
    await killAllControllers()
    await rm(dir, { recursive: true, force: true })
  })

  it('usage past the cap puts the address into capd-blocked; an API top-up takes it out', {
    timeout: 90_000,
  }, async () => {
    const controller = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
    })
    const call = apiClient(controller.baseUrl, TOKEN)
    const enrolled = must(await call('POST', '/agents', { name: 'mikrotik-1' }), 201)
    const plan = must(
      await call('POST', '/plans', { name: '10 MB', capBytes: 10_000_000, onCap: 'block' }),
      201,
    )
    const sub = must(
      await call('POST', '/subscribers', {
        name: 'Ana',
        login: 'ana',
        planId: plan.id,
        agentId: enrolled.id,
        address: '10.0.0.5',
      }),
      201,
    )
    const other = must(
      await call('POST', '/subscribers', {
        name: 'Ben',
        login: 'ben',
        planId: plan.id,
        agentId: enrolled.id,
        address: '10.0.0.6',
      }),
      201,
    )

    const { agent, log: agentLog } = await startInProcessAgent({
      controllerUrl: controller.baseUrl,
      token: enrolled.token,
      dir,
      driver: driver(),
    })
    cleanups.push(() => agent.stop())
    const state = async (id: string) => must(await call('GET', `/subscribers/${id}`), 200).state as string
    const queue = `capd:${sub.id}`
    await until(
      'both queues on the router',
      () => Boolean(queueNamed(queue) && queueNamed(`capd:${other.id}`)),
      30_000,
    )
    await until('the agent to have counted once', () => agent.snapshot().books[sub.id] !== undefined, 30_000)

    peer.addBytes(queue, 500_000, 6_000_000)
    peer.addBytes(`capd:${other.id}`, 100_000, 2_000_000)
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(blocked()).toEqual([])
    peer.addBytes(queue, 500_000, 4_000_000)
    await until(
      'the address in capd-blocked',
      () => blocked().some((entry) => entry.address === '10.0.0.5'),
      30_000,
    )
    expect(blocked()).toEqual([{ address: '10.0.0.5', comment: `capd:${sub.id}` }])
    await until('the controller to show Ana blocked', async () => (await state(sub.id)) === 'blocked', 30_000)
    expect(await state(other.id)).toBe('open')
    const booked = must(await call('GET', `/subscribers/${sub.id}`), 200)
    expect(booked.usage.usedBytes).toBe(11_000_000)

    must(
      await call(
        'POST',
        `/subscribers/${sub.id}/topups`,
        { bytes: 50_000_000, price: { amount: 500, currency: 'USD' } },
        { 'Idempotency-Key': 'routeros-e2e-1' },
      ),
      201,
    )
    await until('the address out of capd-blocked', () => blocked().length === 0, 30_000)
    await until('the controller to show Ana open', async () => (await state(sub.id)) === 'open', 30_000)
    expect(agentLog.filter((line) => /anomaly|failed/.test(line))).toEqual([])
  })
})
