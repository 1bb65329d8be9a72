/**
 * The agent's /metrics, scraped over real HTTP while it runs against a fake controller and the
 * simulated router: subscribers and states, polls, the journal backlog, limits taken, the link.
 */

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processRegistry, serveMetrics } from '@capd/metrics'
import { agentToken, PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { type Exposition, parseExposition, sampleValue } from '@capd/protocol/testing/exposition'
import { afterEach, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { Agent } from '../agent.js'
import { loadAgentConfig } from '../config.js'
import { createSimulatedDriver } from '../drivers/simulated.js'
import { fakeController } from '../testing-fake-controller.js'
import { promAgentMetrics } from './prom-agent-metrics.js'

const DAY = 86_400_000
const START_MS = Date.parse('2026-03-10T12:00:00Z')

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

const limit = (subscriberId: string, i: number, limitBytes: number): SubscriberLimit => ({
  subscriberId,
  address: `10.0.0.${i + 1}`,
  periodStart: new Date(START_MS - 10 * DAY).toISOString(),
  periodEnd: new Date(START_MS + 20 * DAY).toISOString(),
  limitBytes,
  usedBytes: 0,
  limitVersion: 1,
  onCap: 'block',
})

async function running(subscribers: number, capped: number) {
  const limits = Array.from({ length: subscribers }, (_, i) => limit(`sub_${i}`, i, i < capped ? 1000 : 1e15))
  const sockets: WebSocket[] = []
  const controller = await fakeController((socket) => {
    sockets.push(socket)
    socket.send(
      JSON.stringify({ v: PROTOCOL_VERSION, type: 'sync', serverTimeMs: START_MS, subscribers: limits }),
    )
  })
  cleanup.push(() => controller.close())
  const stateDir = await mkdtemp(join(tmpdir(), 'capd-agent-metrics-'))
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
  const config = await loadAgentConfig({
    controller: controller.url,
    token: agentToken('agt_metrics', 'metrics-secret-0123456789'),
    stateDir,
    pollIntervalMs: 60_000,
    fastPollIntervalMs: 60_000,
    metricsListen: '127.0.0.1:0',
    router: { kind: 'simulated' },
  })
  const registry = processRegistry()
  let agent: Agent | undefined
  const metrics = promAgentMetrics(registry, () => agent?.metricsView())
  const server = await serveMetrics(registry, config.metricsListen!)
  cleanup.push(() => server.close())
  const scrape = async (): Promise<Exposition> => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`)
    expect(res.status).toBe(200)
    return parseExposition(await res.text())
  }
  // Before the agent has started, a scrape answers, without its gauges.
  expect(sampleValue(await scrape(), 'capd_agent_subscribers')).toBe(0)
  let clockMs = START_MS
  const driver = createSimulatedDriver({ bytesPerSecond: 10_000, now: () => clockMs })
  agent = await Agent.start(config, driver, { now: () => clockMs, metrics })
  cleanup.push(() => agent!.stop())
  await controller.next('state')
  await agent.pollNow()
  const poll = async (ms: number) => {
    clockMs += ms
    await agent!.pollNow()
  }
  return { controller, agent, scrape, poll, sockets, server }
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('the agent metrics', () => {
  it('follow polls, the journal backlog, enforcement and limits taken', async () => {
    const rnd = seededRandom(17)
    const subscribers = rnd.int(3, 9)
    const capped = rnd.int(1, subscribers - 1)
    const a = await running(subscribers, capped)
    const first = await a.scrape()
    for (const name of new Set(first.samples.map((s) => s.name)))
      expect(name).toMatch(/^(capd_agent_|process_|nodejs_)/)
    expect(sampleValue(first, 'capd_agent_subscribers')).toBe(subscribers)
    expect(sampleValue(first, 'capd_agent_controller_connected')).toBe(1)
    expect(sampleValue(first, 'capd_agent_limits_applied_total')).toBe(subscribers)

    const polls = rnd.int(2, 6)
    for (let i = 0; i < polls; i++) await a.poll(5000)
    const polled = await a.scrape()
    const ok = (e: Exposition) => sampleValue(e, 'capd_agent_polls_total', { outcome: 'ok' })
    expect(ok(polled) - ok(first)).toBe(polls)
    expect(
      sampleValue(polled, 'capd_agent_poll_duration_seconds_count') -
        sampleValue(first, 'capd_agent_poll_duration_seconds_count'),
    ).toBe(polls)
    expect(
      sampleValue(polled, 'capd_agent_router_apply_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(polls)
    // Each capped subscriber used more than its 1000 bytes in the first 5 s: blocked.
    expect(sampleValue(polled, 'capd_agent_enforcement_subscribers', { state: 'blocked' })).toBe(capped)
    expect(sampleValue(polled, 'capd_agent_enforcement_subscribers', { state: 'open' })).toBe(
      subscribers - capped,
    )
    const backlog = sampleValue(polled, 'capd_agent_journal_unacked_entries')
    expect(backlog).toBe(a.agent.snapshot().unacked)
    expect(backlog).toBeGreaterThan(0)
    expect(sampleValue(polled, 'capd_agent_journal_bytes')).toBeGreaterThan(0)

    a.controller.send({
      v: PROTOCOL_VERSION,
      type: 'ack',
      epoch: a.agent.epoch,
      seq: a.agent.snapshot().journal.lastSeq,
    })
    await waitFor(async () => sampleValue(await a.scrape(), 'capd_agent_journal_unacked_entries') === 0)
  })

  it('follow the link: connected, dropped, reconnected', async () => {
    const a = await running(2, 0)
    expect(sampleValue(await a.scrape(), 'capd_agent_reconnects_total')).toBe(0)
    a.sockets[0]!.close(1001, 'going away')
    await waitFor(async () => a.controller.connections === 2)
    await a.controller.next('state', 1)
    // The state report may come before the new connection's sync is applied: wait for that too.
    await waitFor(async () => sampleValue(await a.scrape(), 'capd_agent_limits_applied_total') >= 4)
    const after = await a.scrape()
    expect(sampleValue(after, 'capd_agent_reconnects_total')).toBe(1)
    expect(sampleValue(after, 'capd_agent_controller_connected')).toBe(1)
    expect(sampleValue(after, 'capd_agent_limits_applied_total')).toBe(4)
    const health = await fetch(`http://127.0.0.1:${a.server.port}/healthz`)
    expect(health.status).toBe(200)
  })
})
