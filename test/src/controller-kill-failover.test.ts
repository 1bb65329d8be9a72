/**
 * Two controllers, A and B, on one PostgreSQL database; the real agent (nftables driver) on a
 * namespace router with subscribers counting both ways, download only and upload only, and real
 * packets flowing. Round 1 SIGKILLs A while it books a batch of the agent's usage (held mid-commit
 * at the usage marks, support/booking-hold.ts); the agent moves to B, and what A was sent and never
 * committed has to reach B. Round 2 restarts A and SIGKILLs B at a random moment. After each round
 * the books read through the live controller equal an independent nft counter
 * (support/audit-counter.ts) per subscriber and direction, to the byte: usage history down and up,
 * and usedBytes in the plan's direction. `CAPD_FAILOVER_SEED=<n>` replays a run's choices.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CountDirection } from '@capd/protocol'
import { type Random, seededRandom } from '@capd/protocol/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, postgresUnavailable } from '../../controller/src/testing/pg-database.js'
import { killAllAgents, startAgent, writeAgentConfig } from './support/agent-process.js'
import { apiClient, must } from './support/api-client.js'
import { type AuditCounters, createAuditCounters } from './support/audit-counter.js'
import { holdBookings } from './support/booking-hold.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import {
  createNetnsRouter,
  type NetnsCustomer,
  type NetnsRouter,
  netnsUnavailableReason,
} from './support/netns-router.js'
import { freePort, waitFor } from './support/wait-for.js'

const TOKEN = 'pg-failover-e2e-admin-token-0123456789abcdef'
const SEED = Number(process.env.CAPD_FAILOVER_SEED ?? Math.floor(Math.random() * 2 ** 32))
const MB = 1_000_000
/** Nobody is ever blocked: dropped packets are not what this counts. */
const CAP_BYTES = 1e15
/** One subscriber per customer namespace, each on a plan counting this way. */
const COUNTS: readonly CountDirection[] = ['both', 'down', 'up', 'both']

const unavailable = (await netnsUnavailableReason()) ?? (await postgresUnavailable())
if (unavailable && process.env.CI === 'true') throw new Error(`CI=true, so this must run, but ${unavailable}`)

interface Subscriber {
  id: string
  customer: NetnsCustomer
  count: CountDirection
}

const cleanups: Array<() => Promise<unknown>> = []
afterAll(async () => {
  await killAllAgents()
  await killAllControllers()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

describe.skipIf(unavailable)(
  `controllers on one PostgreSQL database, one SIGKILLed under traffic${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it('the agent moves to the other, and every byte is booked once, per subscriber and direction', async () => {
      console.info(`controller failover: CAPD_FAILOVER_SEED=${SEED}`)
      const random = seededRandom(SEED)
      const db = await createTestDatabase()
      cleanups.push(() => db.drop())
      const dir = await mkdtemp(join(tmpdir(), 'capd-pg-failover-'))
      cleanups.push(() => rm(dir, { recursive: true, force: true }))
      const net = await createNetnsRouter({ customers: COUNTS.length })
      cleanups.push(() => net.destroy())
      const audit = await createAuditCounters(net)

      // Fixed ports: the agent's list names them, and a restarted controller comes back on its own.
      const ports = { a: await freePort(), b: await freePort() }
      const start = (name: 'a' | 'b') =>
        startController({
          dataDir: join(dir, name),
          port: ports[name],
          env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
          args: ['--db', db.url],
          timeoutMs: 60_000,
        })
      let a = await start('a')
      const b = await start('b')
      const setup = apiClient(a.baseUrl, TOKEN)
      const enrolled = must(await setup('POST', '/agents', { name: 'ns-router' }), 201)
      const subscribers: Subscriber[] = []
      for (const [i, count] of COUNTS.entries()) {
        const plan = { name: `${count} ${i}`, capBytes: CAP_BYTES, onCap: 'block', count }
        const planId = must(await setup('POST', '/plans', plan), 201).id
        const customer = net.customer(i)
        await audit.watch(customer.ipv4)
        const body = { name: `C${i}`, login: `c${i}`, planId, agentId: enrolled.id, address: customer.ipv4 }
        subscribers.push({ id: must(await setup('POST', '/subscribers', body), 201).id, customer, count })
      }

      const configPath = join(dir, 'agent.json')
      await writeAgentConfig(configPath, {
        controllers: [`ws://127.0.0.1:${ports.a}`, `ws://127.0.0.1:${ports.b}`],
        token: enrolled.token,
        stateDir: join(dir, 'agent-state'),
        pollIntervalMs: 300,
        fastPollIntervalMs: 100,
        // veth pairs move several Gbit/s: not an anomaly here.
        linkSpeedMbps: 1_000_000,
        router: { kind: 'nftables', netns: net.routerNs },
      })
      const agent = await startAgent(configPath)
      await waitFor('the agent on A', () => connected(a, enrolled.id))
      // No traffic before capd counts: the audit would have bytes capd never saw.
      await waitFor("capd's counters for every subscriber", () => capdCounters(net, subscribers))
      const context = () =>
        `CAPD_FAILOVER_SEED=${SEED}\n${agent.output()}\n--- A\n${a.output()}\n--- B\n${b.output()}`

      /** Traffic; `kill()` at a random moment; the agent on `next`; more traffic; then the books. */
      const round = async (n: number, next: ControllerProcess, kill: () => Promise<string>) => {
        const traffic = trafficLoop(net, subscribers, seededRandom(SEED + n))
        await sleep(random.int(300, 2000))
        const how = await kill()
        const countedAtKill = await audit.totals()
        await waitFor(`the agent on ${next.baseUrl}`, () => connected(next, enrolled.id))
        await sleep(random.int(500, 1500))
        const transfers = await traffic.stop()
        const counted = await expectBooksEqualAudit(next, audit, subscribers, countedAtKill, context)
        console.info(`round ${n}: ${how}; ${transfers} transfers; audit now ${counted} bytes per subscriber`)
      }

      // Round 1: A dies in the middle of booking a batch; the agent has to send it again to B.
      await round(1, b, async () => {
        const hold = await holdBookings(db.url)
        try {
          await hold.blocked()
          const waitMs = random.int(0, 500)
          await sleep(waitMs)
          await a.kill()
          return `A SIGKILLed ${waitMs} ms after its booking stopped at the hold`
        } finally {
          await hold.release()
        }
      })
      // Round 2: A back on its port; B dies wherever it is.
      a = await start('a')
      await round(2, a, async () => {
        await b.kill()
        return 'B SIGKILLed'
      })
      expect(await agent.stop()).toBe(0)
    }, 120_000)
  },
)

/**
 * Waits for the books read through `controller` to equal the audit (and still to 0.8 s later, so
 * a late duplicate would show), or for nothing to move for 5 s; then asserts them equal: usage
 * history down and up, and usedBytes in the plan's direction. Traffic went on after the kill.
 * Returns the audit's totals, for the log.
 */
async function expectBooksEqualAudit(
  controller: ControllerProcess,
  audit: AuditCounters,
  subscribers: readonly Subscriber[],
  countedAtKill: Map<string, number>,
  context: () => string,
) {
  const call = apiClient(controller.baseUrl, TOKEN)
  const read = async () => {
    const counted = await audit.directions()
    const books: string[] = []
    const expected: string[] = []
    for (const s of subscribers) {
      const { down, up } = counted.get(s.customer.ipv4)!
      const drawn = s.count === 'down' ? down : s.count === 'up' ? up : down + up
      const history = await usageHistory(controller, s.id)
      const used = must(await call('GET', `/subscribers/${s.id}`), 200).usage.usedBytes as number
      expected.push(`${s.count}: down ${down} up ${up} used ${drawn}`)
      books.push(`${s.count}: down ${history.down} up ${history.up} used ${used}`)
    }
    return { books, expected }
  }
  let last = ''
  let movedAt = Date.now()
  let equalSince = 0
  for (const deadline = Date.now() + 45_000; Date.now() < deadline; await sleep(150)) {
    const now = await read()
    const key = JSON.stringify(now)
    const equal = now.books.join() === now.expected.join()
    if (key !== last) {
      last = key
      movedAt = Date.now()
      equalSince = Date.now()
    }
    if ((equal && Date.now() - equalSince >= 800) || Date.now() - movedAt >= 5000) break
  }
  const { books, expected } = await read()
  if (books.join() !== expected.join()) console.info(context())
  expect(books, context().split('\n')[0]).toEqual(expected)
  // Each entry booked once, none past a gap: every batch sent and not booked was sent again.
  const actions = must(await call('GET', '/audit?limit=1000'), 200).items.map(
    (i: { action: string }) => i.action,
  )
  expect(actions).not.toContain('usage.seq_gap')
  const after = await audit.totals()
  const still = subscribers.filter((s) => after.get(s.customer.ipv4)! > countedAtKill.get(s.customer.ipv4)!)
  expect(still.length, 'subscribers whose traffic went on after the kill').toBe(subscribers.length)
  return subscribers.map((s) => after.get(s.customer.ipv4)).join(', ')
}

/** Counted download and upload bytes of the subscriber's usage history (the last 31 days). */
async function usageHistory(controller: ControllerProcess, id: string) {
  const res = await fetch(`${controller.baseUrl}/api/v1/subscribers/${id}/usage.csv`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  })
  if (res.status !== 200) throw new Error(`usage.csv: HTTP ${res.status}: ${await res.text()}`)
  const rows = (await res.text()).trim().split('\r\n').slice(1)
  let down = 0
  let up = 0
  for (const row of rows) {
    const [, d, u] = row.split(',')
    down += Number(d)
    up += Number(u)
  }
  return { down, up }
}

async function connected(controller: ControllerProcess, agentId: string): Promise<boolean> {
  const agents = must(await apiClient(controller.baseUrl, TOKEN)('GET', '/agents'), 200).items as Array<{
    id: string
    connected: boolean
  }>
  return agents.find((x) => x.id === agentId)?.connected === true
}

async function capdCounters(net: NetnsRouter, subscribers: readonly Subscriber[]): Promise<boolean> {
  const listing = await net.exec(net.routerNs, ['nft', 'list', 'counters', 'table', 'inet', 'capd'])
  return subscribers.every(
    (s) => listing.includes(`counter cd_${s.id} `) && listing.includes(`counter cu_${s.id} `),
  )
}

/**
 * Transfers of random size, protocol and direction to every subscriber at once, back to back per
 * subscriber, until stopped: every poll finds bytes on several counters.
 */
function trafficLoop(net: NetnsRouter, subscribers: readonly Subscriber[], random: Random) {
  let stopped = false
  let transfers = 0
  const loops = subscribers.map(async ({ customer }) => {
    while (!stopped) {
      const protocol = random.next() < 0.25 ? 'udp' : 'tcp'
      const options = { bytes: random.int(MB, 8 * MB), protocol, timeoutMs: 2000 } as const
      if (random.next() < 0.5) await net.download(customer, options)
      else await net.upload(customer, options)
      transfers++
    }
  })
  return {
    /** Ends every loop after its transfer in flight; resolves with the number of transfers. */
    async stop() {
      stopped = true
      await Promise.all(loops)
      return transfers
    },
  }
}
