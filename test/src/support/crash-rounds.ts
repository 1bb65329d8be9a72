/**
 * Rounds of random crashes on one long-lived namespace router: each round picks a subscriber (a new
 * one, an old one, or everyone's counters re-created by deleting capd's table), moves traffic to
 * it, SIGKILLs the agent and/or the controller at random moments (the agent also within its first
 * second), restarts them, and then requires the controller's usedBytes of every subscriber to equal
 * an independent nft counter (support/audit-counter.ts) to the byte. Shared by the CI test and
 * `bench/crash-soak.ts`; a seed replays a run's choices.
 */
import { watch } from 'node:fs'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Random, seededRandom } from '@capd/protocol/testing'
import { killAllAgents } from './agent-process.js'
import { type AuditCounters, createAuditCounters } from './audit-counter.js'
import { createStack, MB, type Stack, waitFor } from './capd-stack.js'
import type { NetnsCustomer } from './netns-router.js'

const CUSTOMERS = 2
/** Large enough that nobody is ever blocked: dropped packets are not what this counts. */
const CAP_BYTES = 1_000_000_000 * MB

export type RoundKind = 'new subscriber' | 'old subscriber' | 'table re-created'
export type CrashKind = 'agent' | 'agent twice' | 'controller' | 'agent then controller'

export interface RoundReport {
  round: number
  kind: RoundKind
  crash: CrashKind
  /** Subscriber id → [audit bytes, controller usedBytes]; equal for every subscriber on success. */
  books: Map<string, [number, number]>
  ok: boolean
}

interface Tracked {
  id: string
  address: string
  customer: NetnsCustomer
}

export interface CrashRig {
  readonly seed: number
  /** Controller kills so far, and those that left a snapshot half-written (`capd.json.tmp`). */
  readonly controllerKills: { total: number; midSnapshot: number }
  /** Runs round `n`; resolves with its report (check `ok`). */
  round(n: number): Promise<RoundReport>
  logs(): string
  destroy(): Promise<void>
}

export async function createCrashRig(seed: number): Promise<CrashRig> {
  const random = seededRandom(seed)
  // Half a second between polls: the window between a counter's creation and its first booked
  // bytes is wide (a default agent's is a second), so a kill lands in it often.
  // A snapshot every few KB of log (every few usage batches), so controller kills land in them.
  const stack = await createStack({
    customers: CUSTOMERS,
    pollIntervalMs: 500,
    controllerArgs: ['--snapshot-after-log-bytes', '2048'],
  })
  const controllerKills = { total: 0, midSnapshot: 0 }
  /** SIGKILL at once, or (`atSnapshot`) the moment the next snapshot's temp file appears. */
  const killController = async (atSnapshot: boolean) => {
    if (atSnapshot) await snapshotStarts(stack.dataDir, 3000)
    await stack.controller.kill()
    controllerKills.total++
    const tmp = join(stack.dataDir, 'capd.json.tmp')
    if (
      await access(tmp).then(
        () => true,
        () => false,
      )
    )
      controllerKills.midSnapshot++
  }
  let audit: AuditCounters
  const subscribers: Tracked[] = []
  let planId: string
  try {
    audit = await createAuditCounters(stack.net)
    planId = await stack.createPlan(CAP_BYTES)
    await stack.startAgent()
    await stack.waitForAgentConnected()
  } catch (error) {
    await stack.destroy()
    throw error
  }

  const addSubscriber = async (n: number): Promise<Tracked> => {
    const index = n % CUSTOMERS
    const customer = stack.net.customer(index)
    // A new host address in the customer's /24 per round: a new subscriber, new counters.
    const address = `10.200.${index}.${10 + Math.floor(n / CUSTOMERS)}`
    await stack.net.addCustomerAddress(customer, address)
    await audit.watch(address)
    const body = { name: `Crash ${n}`, login: `crash-${n}`, planId, agentId: stack.agentId, address }
    const answer = await stack.call('POST', '/subscribers', body)
    if (answer.status !== 201) throw new Error(`adding subscriber ${n}: ${JSON.stringify(answer.body)}`)
    const tracked = { id: answer.body.id as string, address, customer }
    subscribers.push(tracked)
    return tracked
  }

  return {
    seed,
    controllerKills,
    async round(n) {
      const kind = pickKind(random, subscribers.length)
      const crash = pickCrash(random)
      let target: Tracked
      if (kind === 'new subscriber') {
        target = await addSubscriber(n)
        await stack.waitForCounters([target.id])
      } else {
        target = subscribers[random.int(0, subscribers.length - 1)]!
        if (kind === 'table re-created') {
          const before = await stack.counterHandles(target.id)
          await stack.net.exec(stack.net.routerNs, ['nft', 'delete', 'table', 'inet', 'capd'])
          await waitFor('capd re-creates its counters', async () => {
            const now = await stack.counterHandles(target.id)
            return now !== undefined && now !== before
          })
        }
      }
      const traffic = trafficTo(stack, target, random)
      try {
        await crashes(stack, crash, random, killController)
        // Traffic right after the restarts, before the new processes have settled.
        await sleep(random.int(0, 400))
      } finally {
        await traffic.stop()
      }
      const books = await settle(stack, audit, subscribers)
      const ok = [...books.values()].every(([kernel, booked]) => kernel === booked)
      return { round: n, kind, crash, books, ok }
    },
    logs: () => stack.logs(),
    destroy: () => stack.destroy(),
  }
}

function pickKind(random: Random, known: number): RoundKind {
  const r = random.next()
  if (known === 0 || r < 0.5) return 'new subscriber'
  return r < 0.7 ? 'table re-created' : 'old subscriber'
}

function pickCrash(random: Random): CrashKind {
  const kinds: CrashKind[] = ['agent', 'agent twice', 'controller', 'agent then controller']
  return kinds[random.int(0, kinds.length - 1)]!
}

/** SIGKILLs and restarts, at random moments, while the traffic flows. */
async function crashes(
  stack: Stack,
  crash: CrashKind,
  random: Random,
  killController: (atSnapshot: boolean) => Promise<void>,
): Promise<void> {
  await sleep(random.int(0, 1000))
  if (crash === 'controller') {
    await killController(random.next() < 0.5)
    await sleep(random.int(0, 400))
    await stack.startController()
    await stack.waitForAgentConnected()
    return
  }
  await stack.agent!.kill()
  await sleep(random.int(0, 300))
  if (crash === 'agent twice') {
    // Killed again within its first second, wherever its start has got to.
    const starting = stack.startAgent().catch(() => undefined)
    await sleep(random.int(0, 1000))
    await killAllAgents()
    await starting
  }
  if (crash === 'agent then controller') {
    // The controller dies while the new agent boots (the agent starts counting without it).
    const starting = stack.startAgent()
    await sleep(random.int(0, 500))
    await killController(false)
    await starting
    await sleep(random.int(0, 400))
    await stack.startController()
  } else {
    await stack.startAgent()
  }
  await stack.waitForAgentConnected()
}

/** Resolves when the controller starts writing a snapshot (`capd.json.tmp` appears), or after `timeoutMs`. */
function snapshotStarts(dataDir: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dataDir)
    const done = () => {
      clearTimeout(timer)
      watcher.close()
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    watcher.on('change', (_event, name) => {
      if (name === 'capd.json.tmp') done()
    })
  })
}

/** A few MB at a time down to and up from `target`, until stopped. */
function trafficTo(stack: Stack, target: Tracked, random: Random): { stop(): Promise<void> } {
  let stopped = false
  const sizes = Array.from({ length: 64 }, () => random.int(MB / 2, 4 * MB))
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const bytes = sizes[i % sizes.length]!
      const options = { bytes, address: target.address, timeoutMs: 2000 }
      if (i % 3 === 2) await stack.net.upload(target.customer, options)
      else await stack.net.download(target.customer, options)
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
    },
  }
}

/**
 * Waits until the controller has booked, for every subscriber, what the audit counted (and still
 * has 0.5 s later, so a late duplicate would show), or until nothing moved for 4 s.
 */
async function settle(
  stack: Stack,
  audit: AuditCounters,
  subscribers: readonly Tracked[],
): Promise<Map<string, [number, number]>> {
  let lastKey = ''
  let movedAt = Date.now()
  let equalSince = 0
  const deadline = Date.now() + 45_000
  for (;;) {
    const counted = await audit.totals()
    const books = new Map<string, [number, number]>()
    for (const s of subscribers) {
      books.set(s.id, [counted.get(s.address) ?? 0, (await stack.booked(s.id)).usedBytes])
    }
    const key = JSON.stringify([...books])
    const equal = [...books.values()].every(([kernel, booked]) => kernel === booked)
    if (key !== lastKey) {
      lastKey = key
      movedAt = Date.now()
      equalSince = equal ? Date.now() : 0
    }
    if (equal && Date.now() - equalSince >= 500) return books
    if (Date.now() - movedAt >= 4000 || Date.now() > deadline) return books
    await sleep(150)
  }
}
