import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agentToken, billingPeriod } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from './agent.js'
import { takeLimit } from './books.js'
import { loadAgentConfig } from './config.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { freshState, saveCheckpoint } from './state/checkpoint.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** An agent that knows `subscribers` from its state dir and has no controller to talk to. */
async function offlineAgent(subscribers: number) {
  const stateDir = await mkdtemp(join(tmpdir(), 'capd-outage-'))
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }))
  let clockMs = Date.parse('2026-03-10T12:00:00Z')
  const state = freshState()
  const period = billingPeriod(clockMs, 1, 'UTC')
  for (let i = 0; i < subscribers; i++) {
    const subscriberId = `sub_${i}`
    const book = takeLimit(undefined, {
      subscriberId,
      address: `10.9.0.${i + 1}`,
      periodStart: new Date(period.startMs).toISOString(),
      periodEnd: new Date(period.endMs).toISOString(),
      limitBytes: 1e15,
      usedBytes: 0,
      limitVersion: 1,
      onCap: 'block',
    })
    state.books.set(subscriberId, book!)
  }
  await saveCheckpoint(join(stateDir, 'state.json'), state)
  const config = await loadAgentConfig({
    controller: `ws://127.0.0.1:${await closedPort()}`,
    token: agentToken('agt_outage', 'outage-secret-0123456789'),
    stateDir,
    pollIntervalMs: 60_000,
    fastPollIntervalMs: 60_000,
    router: { kind: 'simulated' },
  })
  const driver = createSimulatedDriver({ bytesPerSecond: 100_000, now: () => clockMs })
  const agent = await Agent.start(config, driver, { now: () => clockMs })
  cleanups.push(() => agent.stop())
  return {
    agent,
    journalPath: join(stateDir, 'journal.log'),
    async poll() {
      clockMs += 1000
      await agent.pollNow()
    },
  }
}

describe('an agent without its controller', () => {
  it('keeps its journal bounded by subscribers × periods, however long the outage', async () => {
    const subscribers = 20
    const { agent, journalPath, poll } = await offlineAgent(subscribers)
    let peakBytes = 0
    for (let i = 0; i < 300; i++) {
      await poll()
      peakBytes = Math.max(peakBytes, (await stat(journalPath)).size)
      expect(agent.snapshot().unacked).toBeLessThanOrEqual(subscribers)
    }
    const used = Object.values(agent.snapshot().books).reduce((sum, b) => sum + b.usedBytes, 0)
    expect(used).toBeGreaterThan(0)
    // A record is about 250 bytes; the file is rewritten once it holds 4 × the live entries + 1024.
    expect(peakBytes).toBeLessThan((4 * subscribers + 1024 + subscribers) * 400)
  })
})
