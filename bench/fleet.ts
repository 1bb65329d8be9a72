/**
 * One agent and its subscribers, seeded straight into a controller data dir (through the domain
 * functions, in one transaction: 10k API calls would take most of the time budget), then served by
 * the real controller as a child process.
 */
import { join } from 'node:path'
import { bootstrap } from '../controller/src/auth/bootstrap.js'
import { systemClock } from '../controller/src/clock.js'
import { enrolAgent } from '../controller/src/domain/agents.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { createPlan } from '../controller/src/domain/plans.js'
import { createSubscriber } from '../controller/src/domain/subscribers.js'
import type { OnCap } from '../controller/src/store/entities.js'
import { openLowdbStore } from '../controller/src/store/lowdb-store.js'
import type { Store } from '../controller/src/store/store.js'
import { type ControllerProcess, startController } from '../test/src/support/controller-process.js'
import { reapOnExit, released } from './reaper.js'

export const ADMIN_TOKEN = 'capd-bench-admin-token-0123456789'

export interface FleetPlan {
  capBytes: number
  onCap: OnCap
}

export interface SeededFleet {
  agentToken: string
  /** In the order of `addresses`. */
  subscriberIds: string[]
}

/** 10.100.0.1, 10.100.0.2, …: one /16 that no namespace link uses; no host needs to exist. */
export function fleetAddress(i: number): string {
  const n = i + 1
  return `10.100.${(n >>> 8) & 255}.${n & 255}`
}

export async function seedFleet(dataDir: string, plan: FleetPlan, addresses: string[]): Promise<SeededFleet> {
  const store = await openLowdbStore(join(dataDir, 'controller'), (line) => console.error(line))
  try {
    return await seedFleetInto(store, plan, addresses)
  } finally {
    await store.close()
  }
}

/** As seedFleet, into an open store (a PostgreSQL database several controllers share). */
export async function seedFleetInto(
  store: Store,
  plan: FleetPlan,
  addresses: string[],
): Promise<SeededFleet> {
  const env: DomainEnv = { clock: systemClock, timeZone: 'UTC', currency: 'USD', idempotencyTtlMs: 3600_000 }
  await bootstrap(store, env, { bootstrapToken: ADMIN_TOKEN })
  return store.transact(async (tx) => {
    const { id: planId } = await createPlan(tx, env, 'system', { name: 'bench plan', ...plan })
    const { agent, token } = await enrolAgent(tx, env, 'system', 'bench router')
    const subscriberIds: string[] = []
    for (const [i, address] of addresses.entries()) {
      const input = {
        name: `Bench ${i}`,
        login: `bench${i}`,
        planId,
        agentId: agent.id,
        address,
        billingDay: 1,
      }
      subscriberIds.push((await createSubscriber(tx, env, 'system', input, undefined)).id)
    }
    return { agentToken: token, subscriberIds }
  })
}

/** The controller on the seeded data dir, on 127.0.0.1 and a free port; killed if the benchmark dies. */
export async function startFleetController(
  dataDir: string,
  args: readonly string[] = [],
): Promise<ControllerProcess> {
  const controller = await startController({ dataDir: join(dataDir, 'controller'), timeoutMs: 60_000, args })
  reapOnExit(controller.pid)
  return {
    ...controller,
    kill: async () => {
      await controller.kill()
      released(controller.pid)
    },
    stop: async () => {
      const code = await controller.stop()
      released(controller.pid)
      return code
    },
  }
}

export const wsUrl = (baseUrl: string) => baseUrl.replace(/^http/, 'ws')
