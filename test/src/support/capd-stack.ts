/**
 * The whole product on one machine: a namespace router, the real controller (fixed port, own data
 * dir) and the real agent driving the router's nftables from the root namespace. Helpers read the
 * kernel's own counters (table `inet capd`) and the controller's books, and wait for conditions.
 */

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type AgentProcess, killAllAgents, startAgent, writeAgentConfig } from './agent-process.js'
import { apiClient, type Call, must } from './api-client.js'
import { type ControllerProcess, killAllControllers, startController } from './controller-process.js'
import {
  createNetnsRouter,
  type NetnsCustomer,
  type NetnsRouter,
  netnsUnavailableReason,
} from './netns-router.js'
import { prerequisite } from './prerequisite.js'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js'
import { freePort, waitFor } from './wait-for.js'

export { waitFor }

export const MB = 1_000_000
/** Payload the kernel quota may let past the allowance: at most one (GRO) packet. */
export const MAX_OVERSHOOT = 64 * 1024
const TOKEN = 'e2e-stack-admin-token-0123456789abcdef'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('namespace router tests', unavailable)
/** Skip where namespaces cannot be built, except under CI=true, where that is a failure. */
export const skipStack = needs.skip
export const stackTitle = needs.title

export interface StackOptions {
  customers?: number
  pollIntervalMs?: number
  fastPollIntervalMs?: number
  /**
   * veth pairs in namespaces move several Gbit/s; the default 10 Gbit/s bound of the agent would
   * make a fast poll interval look like an anomaly. These tests are about counting, so it is high.
   */
  linkSpeedMbps?: number
  /** The agent reaches the controller through a TCP proxy the test can break (`stack.proxy`). */
  viaProxy?: boolean
  /** More controller command-line options. */
  controllerArgs?: readonly string[]
  /** Router-side customer interfaces are `<prefix>0`, `<prefix>1`… (`ppp` for a BRAS); default `c`. */
  interfacePrefix?: string
  /** The nftables router's `sessions` source (a BRAS); default none. */
  routerSessions?: Record<string, unknown>
}

export interface Subscriber {
  id: string
  login: string
  customer: NetnsCustomer
}

export interface KernelCount {
  down: number
  up: number
  total: number
}

export interface Booked {
  usedBytes: number
  limitBytes: number
  remainingBytes: number
  state: string
}

export interface Stack {
  readonly net: NetnsRouter
  readonly call: Call
  readonly agentId: string
  readonly dataDir: string
  readonly stateDir: string
  readonly controller: ControllerProcess
  readonly agent: AgentProcess | undefined
  /** Only with `viaProxy`. */
  readonly proxy: TcpProxy | undefined
  startController(): Promise<ControllerProcess>
  startAgent(): Promise<AgentProcess>
  createPlan(capBytes: number): Promise<string>
  /** `byLogin`: created with no address (known by its login; its address comes from sessions). */
  addSubscriber(customerIndex: number, planId: string, options?: { byLogin?: boolean }): Promise<Subscriber>
  topUp(subscriberId: string, bytes: number): Promise<void>
  /** The kernel's counters `cd_<id>` / `cu_<id>`; undefined while they do not exist. */
  kernel(subscriberId: string): Promise<KernelCount | undefined>
  /** Handles of the capd table and of the subscriber's counters (a re-created counter gets new ones). */
  counterHandles(subscriberId: string): Promise<string | undefined>
  booked(subscriberId: string): Promise<Booked>
  /** Actions in the controller's audit log (newest first), e.g. `usage.seq_gap`. */
  auditActions(): Promise<string[]>
  /** Everything every agent and controller of this stack printed, oldest process first. */
  logs(): string
  waitForAgentConnected(): Promise<void>
  /** Until both counters of every subscriber exist in the kernel. */
  waitForCounters(subscriberIds: readonly string[]): Promise<void>
  /**
   * After traffic stopped: waits until the controller's usedBytes equal the kernel's counters for
   * every subscriber (and still do 0.8 s later), or until neither has moved for `stableMs`;
   * returns both for the assertions.
   */
  settle(
    subscriberIds: readonly string[],
    stableMs?: number,
  ): Promise<Map<string, { kernel: number; controller: number }>>
  destroy(): Promise<void>
}

export async function createStack(options: StackOptions = {}): Promise<Stack> {
  const {
    customers = 2,
    pollIntervalMs = 300,
    fastPollIntervalMs = 100,
    linkSpeedMbps = 1_000_000,
    viaProxy = false,
    controllerArgs = [],
    interfacePrefix,
    routerSessions,
  } = options
  const dir = await mkdtemp(join(tmpdir(), 'capd-e2e-'))
  const dataDir = join(dir, 'data')
  const stateDir = join(dir, 'agent-state')
  const configPath = join(dir, 'agent.json')
  let net: NetnsRouter | undefined
  let controller: ControllerProcess | undefined
  let agent: AgentProcess | undefined
  let proxy: TcpProxy | undefined
  const processes: Array<{ name: string; output(): string }> = []
  const destroy = async () => {
    await agent?.kill().catch(() => {})
    await proxy?.close()
    await controller?.kill().catch(() => {})
    await killAllAgents()
    await killAllControllers()
    await net?.destroy()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    net = await createNetnsRouter({ customers, ...(interfacePrefix ? { interfacePrefix } : {}) })
    const port = await freePort()
    const start = async () => {
      controller = await startController({
        dataDir,
        port,
        env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
        args: controllerArgs,
      })
      processes.push({ name: `controller ${controller.pid}`, output: controller.output })
      return controller
    }
    await start()
    const call = apiClient(controller!.baseUrl, TOKEN)
    const enrolled = must(await call('POST', '/agents', { name: 'e2e-router' }), 201)
    if (viaProxy) proxy = await startTcpProxy(port)
    await writeAgentConfig(configPath, {
      controller: `ws://127.0.0.1:${proxy?.port ?? port}`,
      token: enrolled.token,
      stateDir,
      pollIntervalMs,
      fastPollIntervalMs,
      linkSpeedMbps,
      router: {
        kind: 'nftables',
        netns: net.routerNs,
        ...(routerSessions ? { sessions: routerSessions } : {}),
      },
    })
    const router = net
    const nftJson = async () => {
      try {
        return JSON.parse(await router.exec(router.routerNs, ['nft', '-j', 'list', 'table', 'inet', 'capd']))
          .nftables as Array<Record<string, Record<string, unknown>>>
      } catch (error) {
        if (/No such file or directory/.test((error as Error).message)) return undefined
        throw error
      }
    }
    const counters = (items: Array<Record<string, Record<string, unknown>>>) => {
      const found = new Map<string, { bytes: number; handle: number }>()
      for (const item of items) {
        const c = item.counter
        if (c && c.table === 'capd')
          found.set(String(c.name), { bytes: Number(c.bytes), handle: Number(c.handle) })
      }
      return found
    }
    let seq = 0
    const stack: Stack = {
      net,
      call,
      agentId: enrolled.id,
      dataDir,
      stateDir,
      get controller() {
        return controller!
      },
      get agent() {
        return agent
      },
      proxy,
      startController: start,
      async startAgent() {
        agent = await startAgent(configPath)
        processes.push({ name: `agent ${agent.pid}`, output: agent.output })
        return agent
      },
      async createPlan(capBytes) {
        const n = ++seq
        // Tests give exact byte counts, some under 1 MB: allowTiny says they are meant.
        const body = { name: `plan ${n}`, capBytes, onCap: 'block', allowTiny: true }
        return must(await call('POST', '/plans', body), 201).id
      },
      async addSubscriber(customerIndex, planId, { byLogin = false } = {}) {
        const customer = router.customer(customerIndex)
        const n = ++seq
        const login = `customer-${customerIndex}-${n}`
        const body = {
          name: `Customer ${customerIndex}`,
          login,
          planId,
          agentId: enrolled.id,
          ...(byLogin ? {} : { address: customer.ipv4 }),
        }
        return { id: must(await call('POST', '/subscribers', body), 201).id, login, customer }
      },
      async topUp(subscriberId, bytes) {
        const price = { amount: 500, currency: 'USD' }
        must(
          await call('POST', `/subscribers/${subscriberId}/topups`, { bytes, price, allowTiny: true }),
          201,
        )
      },
      async kernel(subscriberId) {
        const items = await nftJson()
        if (!items) return undefined
        const all = counters(items)
        const down = all.get(`cd_${subscriberId}`)
        const up = all.get(`cu_${subscriberId}`)
        if (!down || !up) return undefined
        return { down: down.bytes, up: up.bytes, total: down.bytes + up.bytes }
      },
      async counterHandles(subscriberId) {
        const items = await nftJson()
        if (!items) return undefined
        const table = items.find((i) => i.table?.name === 'capd')?.table?.handle
        const all = counters(items)
        const down = all.get(`cd_${subscriberId}`)
        const up = all.get(`cu_${subscriberId}`)
        return down && up ? `${table}:${down.handle}:${up.handle}` : undefined
      },
      async booked(subscriberId) {
        const sub = must(await call('GET', `/subscribers/${subscriberId}`), 200)
        return {
          usedBytes: sub.usage.usedBytes,
          limitBytes: sub.usage.limitBytes,
          remainingBytes: sub.usage.remainingBytes,
          state: sub.state,
        }
      },
      async auditActions() {
        const items = must(await call('GET', '/audit?limit=1000'), 200).items as Array<{ action: string }>
        return items.map((item) => item.action)
      },
      logs: () => processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n'),
      async waitForAgentConnected() {
        await waitFor('the agent is connected', async () => {
          const agents = must(await call('GET', '/agents'), 200).items as Array<{
            id: string
            connected: boolean
          }>
          return agents.find((a) => a.id === enrolled.id)?.connected === true
        })
      },
      async waitForCounters(ids) {
        await waitFor(`counters of ${ids.join(', ')} in table inet capd`, async () => {
          for (const id of ids) if (!(await stack.kernel(id))) return false
          return true
        })
      },
      async settle(ids, stableMs = 5_000) {
        const confirmMs = 800
        let last = ''
        let since = Date.now()
        let equalKey = ''
        let equalSince = 0
        const deadline = Date.now() + 45_000
        for (;;) {
          const now = new Map<string, { kernel: number; controller: number }>()
          for (const id of ids) {
            const kernel = (await stack.kernel(id))?.total ?? -1
            const controller = (await stack.booked(id)).usedBytes
            now.set(id, { kernel, controller })
          }
          const values = [...now.values()]
          const key = JSON.stringify(values)
          // Equal, and still equal a moment later: a late replay counted twice would show by then.
          if (values.every((v) => v.kernel === v.controller)) {
            if (key === equalKey && Date.now() - equalSince >= confirmMs) return now
            if (key !== equalKey) {
              equalKey = key
              equalSince = Date.now()
            }
          } else {
            equalKey = ''
          }
          if (key !== last) {
            last = key
            since = Date.now()
          } else if (Date.now() - since >= stableMs || Date.now() > deadline) {
            return now
          }
          await sleep(150)
        }
      },
      destroy,
    }
    return stack
  } catch (error) {
    await destroy()
    throw error
  }
}

/** A running transfer loop: `stop()` ends it after the transfer in flight and returns the payload moved. */
export interface TrafficLoop {
  stop(): Promise<{ delivered: number; transfers: number }>
}

/**
 * Moves traffic to and from `customer` until stopped: TCP downloads and uploads of up to
 * `chunkMs` each, back to back.
 */
export function trafficLoop(net: NetnsRouter, customer: NetnsCustomer, { chunkMs = 700 } = {}): TrafficLoop {
  let stopped = false
  let delivered = 0
  let transfers = 0
  const loop = (async () => {
    while (!stopped) {
      const down = await net.download(customer, { bytes: 1e9, timeoutMs: chunkMs })
      const up = await net.upload(customer, { bytes: 1e9, timeoutMs: Math.ceil(chunkMs / 2) })
      delivered += down.receivedBytes + up.receivedBytes
      transfers += 2
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      return { delivered, transfers }
    },
  }
}
