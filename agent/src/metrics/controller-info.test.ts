/** capd_agent_controller_info names the controller the agent is connected to, and only that one. */
import { processRegistry } from '@capd/metrics'
import { parseExposition, sampleValue } from '@capd/protocol/testing/exposition'
import { afterEach, describe, expect, it } from 'vitest'
import { type FailoverRig, failoverRig, until } from '../testing-failover-agent.js'
import { promAgentMetrics } from './prom-agent-metrics.js'

const rigs: FailoverRig[] = []
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close()
})

describe('capd_agent_controller_info', () => {
  it('follows the agent from controller to controller, and is absent while none is connected', async () => {
    const r = await failoverRig(['A', 'B'])
    rigs.push(r)
    const [a, b] = r.controllers
    const registry = processRegistry()
    promAgentMetrics(registry, () => r.agent.metricsView())
    const scrape = async () => {
      const e = parseExposition(await registry.metrics())
      return {
        urls: e.samples.filter((s) => s.name === 'capd_agent_controller_info').map((s) => s.labels.url),
        connected: sampleValue(e, 'capd_agent_controller_connected'),
      }
    }
    await r.synced()
    expect(await scrape()).toEqual({ urls: [a!.url], connected: 1 })
    await a!.kill()
    await until('the agent on B', () => r.agent.metricsView().controllerUrl === b!.url)
    expect(await scrape()).toEqual({ urls: [b!.url], connected: 1 })
    await b!.kill()
    await until('the agent disconnected', () => !r.agent.snapshot().connected)
    expect(await scrape()).toEqual({ urls: [], connected: 0 })
  })
})
