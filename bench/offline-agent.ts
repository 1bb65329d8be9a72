/**
 * An agent that knows its subscribers from its state dir alone (as after a restart while the
 * controller is away) and cannot reach a controller: it polls and enforces, and nothing arrives
 * between polls. Used where the live controller connection would add noise to what is measured.
 */
import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { agentToken, billingPeriod, type SubscriberLimit } from '@capd/protocol'
import { takeLimit } from '../agent/src/books.js'
import { freshState, saveCheckpoint } from '../agent/src/state/checkpoint.js'
import { fleetAddress } from './fleet.js'

export const OFFLINE_AGENT_TOKEN = agentToken('agt_bench', 'bench-secret-0123456789')

/** A loopback port nothing listens on: the agent's controller link fails fast and backs off. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The state dir of an agent that was told these subscribers' limits (100 GB each, nothing used yet). */
export async function seedStateDir(stateDir: string, subscribers: number): Promise<void> {
  await mkdir(stateDir, { recursive: true })
  const state = freshState()
  const period = billingPeriod(Date.now(), 1, 'UTC')
  for (let i = 0; i < subscribers; i++) {
    const limit: SubscriberLimit = {
      subscriberId: `sub_bench${i}`,
      address: fleetAddress(i),
      periodStart: new Date(period.startMs).toISOString(),
      periodEnd: new Date(period.endMs).toISOString(),
      limitBytes: 100e9,
      usedBytes: 0,
      limitVersion: 1,
      onCap: 'block',
    }
    state.books.set(limit.subscriberId, takeLimit(undefined, limit)!)
  }
  await saveCheckpoint(join(stateDir, 'state.json'), state)
}
