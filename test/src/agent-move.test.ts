/**
 * A subscriber moves between two real agents counting live, against a real controller process: the
 * old agent answers the controller's sync with `synced`, and what it had journalled for the
 * subscriber before it dropped it is still booked, none of it refused.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent/src/agent.js'
import { loadAgentConfig } from '../../agent/src/config.js'
import { createSimulatedDriver } from '../../agent/src/drivers/simulated.js'
import { type Answer, apiClient } from './support/api-client.js'
import { killAllControllers, startController } from './support/controller-process.js'
import { waitFor } from './support/wait-for.js'

const TOKEN = 'e2e-agent-move-admin-token-0123456789abcdef'

describe('a subscriber moved between live agents', () => {
  let dir: string
  const cleanups: (() => Promise<unknown>)[] = []
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-agent-move-'))
  })
  afterEach(async () => {
    for (const step of cleanups.splice(0).reverse()) await step()
    await killAllControllers()
    await rm(dir, { recursive: true, force: true })
  })

  it('the old agent books what it counted before it dropped the subscriber, nothing is refused', {
    timeout: 60_000,
  }, async () => {
    const controller = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
    })
    const call = apiClient(controller.baseUrl, TOKEN)
    const must = async (answer: Promise<Answer>, status: number) => {
      const { status: got, body } = await answer
      if (got !== status) throw new Error(`expected HTTP ${status}, got ${got}: ${JSON.stringify(body)}`)
      return body
    }
    const plan = await must(call('POST', '/plans', { name: '100 GB', capBytes: 100e9, onCap: 'block' }), 201)
    const start = async (name: string) => {
      const enrolled = await must(call('POST', '/agents', { name }), 201)
      const config = await loadAgentConfig({
        controller: controller.baseUrl.replace(/^http/, 'ws'),
        token: enrolled.token,
        stateDir: join(dir, name),
        pollIntervalMs: 200,
        fastPollIntervalMs: 100,
        router: { kind: 'simulated' },
      })
      const agent = await Agent.start(config, createSimulatedDriver({ bytesPerSecond: 1_000_000 }))
      cleanups.push(() => agent.stop())
      return { id: enrolled.id as string, agent }
    }
    const a = await start('tower-a')
    const b = await start('tower-b')
    const alice = await must(
      call('POST', '/subscribers', {
        name: 'Alice',
        login: 'alice',
        planId: plan.id,
        agentId: a.id,
        address: '10.0.0.5',
      }),
      201,
    )
    const used = async () =>
      (await must(call('GET', `/subscribers/${alice.id}`), 200)).usage.usedBytes as number
    await waitFor('usage of alice booked from tower-a', async () => (await used()) > 0)

    await must(call('PATCH', `/subscribers/${alice.id}`, { agentId: b.id }), 200)
    await waitFor('tower-a to drop alice', () => a.agent.snapshot().books[alice.id] === undefined)
    const counted = a.agent.snapshot()
    await waitFor('tower-a to have everything acked', () => {
      const now = a.agent.snapshot()
      return now.ackedSeq >= counted.journal.lastSeq
    })
    await waitFor('tower-b to count alice', () => (b.agent.snapshot().books[alice.id]?.usedBytes ?? 0) > 0)
    const anomalies = (await must(call('GET', `/agents/${a.id}`), 200)).anomalies as Array<{ reason: string }>
    expect(anomalies.filter((x) => x.reason === 'moved_away')).toEqual([])
  })
})
