/**
 * An agent on the simulated router with several booking controllers (testing-booking-controllers.ts)
 * and a clock the test moves: for failover tests of the whole agent, link, journal and acks.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '@capd/log'
import { agentToken, type SubscriberLimit } from '@capd/protocol'
import { Agent } from './agent.js'
import { loadAgentConfig } from './config.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { type BookingController, bookingController, Ledger } from './testing-booking-controllers.js'

const DAY = 86_400_000

export interface FailoverRig {
  readonly agent: Agent
  readonly ledger: Ledger
  readonly controllers: BookingController[]
  /** The agent's log, as JSON records. */
  records(): Record<string, unknown>[]
  /** Moves the agent's clock on by `ms` and polls: the simulated subscribers used more. */
  poll(ms: number): Promise<void>
  /** What the agent counted, from its own books (all in one period). */
  countedBytes(): number
  /** Until the agent holds the books a controller's sync gave it. */
  synced(): Promise<void>
  /** Until every journal entry is acked (throws after 10 s, naming what is left). */
  drained(): Promise<void>
  close(): Promise<void>
}

export interface RigOptions {
  subscribers?: number
  /** Runs before the agent starts (e.g. to make a controller refuse). */
  prepare?(controllers: BookingController[]): void | Promise<void>
}

export async function failoverRig(
  names: readonly string[],
  { subscribers = 3, prepare }: RigOptions = {},
): Promise<FailoverRig> {
  const cleanup: (() => Promise<unknown>)[] = []
  const close = async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  }
  try {
    const startMs = Date.now()
    const limits: SubscriberLimit[] = Array.from({ length: subscribers }, (_, i) => ({
      subscriberId: `sub_${i}`,
      address: `10.0.0.${i + 1}`,
      periodStart: new Date(startMs - 10 * DAY).toISOString(),
      periodEnd: new Date(startMs + 20 * DAY).toISOString(),
      limitBytes: 1e15,
      usedBytes: 0,
      limitVersion: 1,
      onCap: 'block',
    }))
    const ledger = new Ledger()
    const controllers: BookingController[] = []
    for (const name of names) {
      const c = await bookingController(name, ledger, () => limits)
      cleanup.push(() => c.kill())
      controllers.push(c)
    }
    await prepare?.(controllers)
    const stateDir = await mkdtemp(join(tmpdir(), 'capd-failover-'))
    cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
    const config = await loadAgentConfig({
      controllers: controllers.map((c) => c.url),
      token: agentToken('agt_failover', 'failover-secret-0123456789'),
      stateDir,
      pollIntervalMs: 60_000,
      fastPollIntervalMs: 60_000,
      router: { kind: 'simulated' },
    })
    let clockMs = startMs
    const driver = createSimulatedDriver({ bytesPerSecond: 100_000, now: () => clockMs })
    const log = memoryLogger('info')
    const agent = await Agent.start(config, driver, {
      now: () => clockMs,
      logger: log.logger,
      link: { minBackoffMs: 20, maxBackoffMs: 200, heartbeatMs: 1000 },
    })
    cleanup.push(() => agent.stop())
    return {
      agent,
      ledger,
      controllers,
      records: log.records,
      async poll(ms) {
        clockMs += ms
        await agent.pollNow()
      },
      countedBytes: () => Object.values(agent.snapshot().books).reduce((sum, b) => sum + b.usedBytes, 0),
      synced: () => until('a sync', () => Object.keys(agent.snapshot().books).length === subscribers),
      async drained() {
        const deadline = Date.now() + 10_000
        for (;;) {
          const s = agent.snapshot()
          if (s.unacked === 0 && s.ackedSeq === s.journal.lastSeq) return
          if (Date.now() > deadline)
            throw new Error(`not drained: acked ${s.ackedSeq} of ${s.journal.lastSeq}, ${s.unacked} unacked`)
          await new Promise((r) => setTimeout(r, 10))
        }
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** Until `check` holds (throws after `ms`, with `what`). */
export async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
