/**
 * The real agent process with `metricsListen`, on the simulated router: once usage it counted is
 * booked at the controller, its scrape (and the controller's) pass Prometheus's own parser and lint,
 * `promtool check metrics`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseExposition, sampleValue } from '@capd/protocol/testing/exposition'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { killAllAgents, startAgent, writeAgentConfig } from './support/agent-process.js'
import { apiClient } from './support/api-client.js'
import { killAllControllers, startController } from './support/controller-process.js'
import { promtoolCheck, promtoolTitle, skipPromtool } from './support/promtool.js'
import { waitFor } from './support/wait-for.js'

const TOKEN = 'capd_agent-metrics-test-admin-token-0123456789abcdef'

afterAll(async () => {
  await killAllAgents()
  await killAllControllers()
})

/** The value of `key` in the first JSON log line that has it. */
function logged(output: string, key: string): unknown {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue
    const record = JSON.parse(line) as Record<string, unknown>
    if (record[key] !== undefined) return record[key]
  }
  return undefined
}

describe('the agent process', () => {
  it.skipIf(skipPromtool)(
    promtoolTitle('serves metrics that pass promtool check metrics once usage is booked'),
    { timeout: 60_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'capd-agent-metrics-'))
      onTestFinished(() => rm(dir, { recursive: true, force: true }))
      const controller = await startController({
        dataDir: join(dir, 'data'),
        env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
        args: ['--metrics-listen', '127.0.0.1:0'],
      })
      onTestFinished(() => controller.kill())
      const call = apiClient(controller.baseUrl, TOKEN)
      const plan = (await call('POST', '/plans', { name: 'Basic', capBytes: 100e9, onCap: 'block' })).body
      const enrolled = (await call('POST', '/agents', { name: 'tower-1' })).body
      const alice = await call('POST', '/subscribers', {
        login: 'alice',
        name: 'Alice',
        address: '10.0.0.5',
        planId: plan.id,
        agentId: enrolled.id,
      })
      expect(alice.status).toBe(201)
      const configPath = join(dir, 'agent.json')
      await writeAgentConfig(configPath, {
        controller: controller.baseUrl.replace(/^http/, 'ws'),
        token: enrolled.token,
        stateDir: join(dir, 'agent'),
        pollIntervalMs: 200,
        fastPollIntervalMs: 100,
        metricsListen: '127.0.0.1:0',
        router: { kind: 'simulated', bytesPerSecond: 1_000_000 },
      })
      const agent = await startAgent(configPath)
      onTestFinished(() => agent.kill())
      await waitFor(
        'the agent to say where its metrics are',
        () => logged(agent.output(), 'metricsPort') !== undefined,
      )
      const agentUrl = `http://127.0.0.1:${logged(agent.output(), 'metricsPort')}/metrics`
      const controllerUrl = logged(controller.output(), 'metricsUrl') as string
      const scrape = async (url: string) => (await fetch(url)).text()
      await waitFor('usage the agent counted to be booked at the controller', async () => {
        const booked = sampleValue(
          parseExposition(await scrape(controllerUrl)),
          'capd_usage_bytes_ingested_total',
        )
        return (booked ?? 0) > 0
      })
      const agentScrape = await scrape(agentUrl)
      expect(
        sampleValue(parseExposition(agentScrape), 'capd_agent_polls_total', { outcome: 'ok' }),
      ).toBeGreaterThan(0)
      for (const exposition of [agentScrape, await scrape(controllerUrl)]) {
        const check = promtoolCheck(exposition)
        expect(check.output).toBe('')
        expect(check.status).toBe(0)
      }
      expect(await agent.stop()).toBe(0)
    },
  )
})
