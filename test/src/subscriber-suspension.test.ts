/**
 * Suspension and deletion reach the router, against a real controller process and an agent on the
 * simulated router (whose counters move by themselves while a subscriber is open): a suspended
 * subscriber's traffic stops whatever its allowance, a top-up does not bring it back, resuming
 * does; a deleted subscriber's rule leaves the router.
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

const TOKEN = 'e2e-suspension-admin-token-0123456789abcdef'

describe('a suspended subscriber at the router', () => {
  let dir: string
  const cleanups: (() => Promise<unknown>)[] = []
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-suspension-'))
  })
  afterEach(async () => {
    for (const step of cleanups.splice(0).reverse()) await step()
    await killAllControllers()
    await rm(dir, { recursive: true, force: true })
  })

  it('is blocked until resumed, whatever it buys; a deleted one leaves the router', {
    timeout: 90_000,
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
    const enrolled = await must(call('POST', '/agents', { name: 'tower' }), 201)
    const driver = createSimulatedDriver({ bytesPerSecond: 1_000_000 })
    const config = await loadAgentConfig({
      controller: controller.baseUrl.replace(/^http/, 'ws'),
      token: enrolled.token,
      stateDir: join(dir, 'agent'),
      pollIntervalMs: 200,
      fastPollIntervalMs: 100,
      router: { kind: 'simulated' },
    })
    const agent = await Agent.start(config, driver)
    cleanups.push(() => agent.stop())
    const add = async (name: string, address: string) =>
      (
        await must(
          call('POST', '/subscribers', { name, login: name, planId: plan.id, agentId: enrolled.id, address }),
          201,
        )
      ).id as string
    const alice = await add('alice', '10.0.0.5')
    const bob = await add('bob', '10.0.0.6')

    /** What the router has counted for a subscriber (the simulated router moves only open ones). */
    const routerBytes = async (id: string) => {
      const sample = (await driver.readCounters()).samples.find((s) => s.subscriberId === id)
      return sample === undefined ? undefined : Number(sample.down + sample.up)
    }
    const state = async (id: string) => (await must(call('GET', `/subscribers/${id}`), 200)).state as string
    /** Until bob's traffic has moved by `bytes`: time passes by what the open subscriber did. */
    const whileBobMoves = async (bytes: number) => {
      const from = (await routerBytes(bob))!
      await waitFor(
        `bob's traffic to move ${bytes} bytes`,
        async () => (await routerBytes(bob))! > from + bytes,
      )
    }
    await waitFor(
      'both counted',
      async () => ((await routerBytes(alice)) ?? 0) > 0 && ((await routerBytes(bob)) ?? 0) > 0,
    )

    await must(
      call('POST', `/subscribers/${alice}/suspend`, { reason: 'Unpaid invoice INV-2026-000012' }),
      200,
    )
    await waitFor('the agent to block alice', async () => (await state(alice)) === 'blocked')
    expect(agent.snapshot().books[alice]?.limit).toMatchObject({ limitBytes: 0, onCap: 'block' })
    const stopped = (await routerBytes(alice))!
    await whileBobMoves(500_000)
    expect(await routerBytes(alice)).toBe(stopped)

    // A top-up is taken (the allowance grows) but the terms the agent holds stay the blocking ones.
    const version = agent.snapshot().books[alice]!.limit.limitVersion
    const topUp = call('POST', `/subscribers/${alice}/topups`, {
      bytes: 10e9,
      price: { amount: 500, currency: 'USD' },
    })
    expect((await must(topUp, 201)).usage.limitBytes).toBe(110e9)
    await whileBobMoves(500_000)
    expect(await routerBytes(alice)).toBe(stopped)
    expect(await state(alice)).toBe('blocked')
    expect(agent.snapshot().books[alice]!.limit).toMatchObject({ limitBytes: 0, limitVersion: version })

    await must(call('POST', `/subscribers/${alice}/resume`), 200)
    await waitFor('the agent to open alice', async () => (await state(alice)) === 'open')
    expect(agent.snapshot().books[alice]?.limit.limitBytes).toBe(110e9)
    await waitFor('alice to move again', async () => (await routerBytes(alice))! > stopped)

    await must(call('DELETE', `/subscribers/${bob}`), 200)
    await waitFor('the agent to drop bob', () => agent.snapshot().books[bob] === undefined)
    await waitFor('the router to drop bob', async () => (await routerBytes(bob)) === undefined)
    expect(await routerBytes(alice)).toBeGreaterThan(stopped)
  })
})
