import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { memoryLogger } from '@capd/log'
import { agentToken, PROTOCOL_VERSION } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from './agent.js'
import { loadAgentConfig } from './config.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { fakeController } from './testing-fake-controller.js'

const AGENT_ID = 'agt_ackahead000000000000'
const DAY = 86_400_000

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

describe('an ack past anything this journal numbered', () => {
  // The controller booked seqs of this epoch that this journal never reached: the state dir is older
  // than what the agent once sent (a restored backup, a copied VM). New entries then get seqs the
  // controller has already booked and ignores, so the agent must say so, loudly and once.
  it('is taken as far as the journal goes, and the operator is warned once with what to do', async () => {
    const controller = await fakeController()
    cleanup.push(() => controller.close())
    const stateDir = await mkdtemp(join(tmpdir(), 'capd-agent-'))
    cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
    const config = await loadAgentConfig({
      controller: controller.url,
      token: agentToken(AGENT_ID, 'x'.repeat(43)),
      stateDir,
      pollIntervalMs: 60_000,
      router: { kind: 'simulated', bytesPerSecond: 1000 },
    })
    const { logger, records } = memoryLogger()
    const warnings = () =>
      records()
        .map((r) => String(r.msg))
        .filter((msg) => msg.includes('WARNING: the controller has booked'))
    const agent = await Agent.start(config, createSimulatedDriver({ bytesPerSecond: 1000 }), {
      logger,
    })
    cleanup.push(() => agent.stop())
    const hello = await controller.next('hello')
    const now = Date.now()
    controller.send({
      v: PROTOCOL_VERSION,
      type: 'sync',
      serverTimeMs: now,
      subscribers: [
        {
          subscriberId: 'sub_a',
          address: '10.0.0.5',
          periodStart: new Date(now - 10 * DAY).toISOString(),
          periodEnd: new Date(now + 20 * DAY).toISOString(),
          limitBytes: 5_000_000_000,
          usedBytes: 0,
          limitVersion: 1,
          onCap: 'block',
        },
      ],
    })
    await controller.next('state')
    for (let i = 0; i < 3; i++) {
      await sleep(5)
      await agent.pollNow()
    }
    const reached = agent.snapshot().journal.lastSeq
    expect(reached).toBeGreaterThan(0)
    for (const seq of [reached + 40, reached + 41]) {
      controller.send({ v: PROTOCOL_VERSION, type: 'ack', epoch: hello.epoch, seq })
    }
    for (let i = 0; i < 200 && agent.snapshot().ackedSeq !== reached; i++) await sleep(10)
    await agent.pollNow()
    expect(agent.snapshot().ackedSeq).toBe(reached)
    expect(warnings()).toHaveLength(1)
    expect(warnings()[0]).toContain(`seq ${reached + 40}`)
    expect(warnings()[0]).toContain(`reached ${reached}`)
    expect(warnings()[0]).toContain(stateDir)
  })
})
