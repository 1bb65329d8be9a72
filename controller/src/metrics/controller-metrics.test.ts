/**
 * The controller's /metrics, scraped over real HTTP from its own listener while real things happen:
 * top-ups through the API, an agent connecting, usage and state reports over its WebSocket,
 * notification sends, store writes. Every figure is checked to move by what happened.
 */

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processRegistry, serveMetrics } from '@capd/metrics'
import { seededRandom } from '@capd/protocol/testing'
import { type Exposition, parseExposition, sampleValue } from '@capd/protocol/testing/exposition'
import type { Registry } from 'prom-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { ChannelSender, SendOutcome } from '../notify/channel.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import { putDelivery } from '../testing/deliveries.js'
import { connectAgent, hello, stateReport, usage } from '../testing/test-agent.js'
import { type TestAppOptions, testApp } from '../testing/test-app.js'
import { promControllerMetrics } from './prom-controller-metrics.js'

/** Scrapes `registry` through a real metrics listener, checking the text as it reads it. */
async function scraper(registry: Registry) {
  const server = await serveMetrics(registry, { host: '127.0.0.1', port: 0 })
  onTestFinished(() => server.close())
  return async (): Promise<Exposition> => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    return parseExposition(await res.text())
  }
}

async function metricsFixture(options: TestAppOptions = {}) {
  const registry = processRegistry()
  const t = await testApp({ ...options, metrics: registry })
  const scrape = await scraper(registry)
  const { plan, topUpPlan, agent, subscriber } = await t.seed()
  const server = await t.serve()
  onTestFinished(() => server.close())
  return { ...t, registry, scrape, plan, topUpPlan, agent, subscriber, server }
}

describe('the controller metrics', () => {
  it('is valid exposition text with only capd_* and the standard process_/nodejs_ names', async () => {
    const f = await metricsFixture()
    const e = await f.scrape()
    const names = new Set(e.samples.map((s) => s.name))
    for (const name of names) expect(name).toMatch(/^(capd_|process_|nodejs_)/)
    for (const name of [
      'capd_subscribers',
      'capd_agents',
      'capd_agents_connected',
      'capd_usage_bytes_ingested_total',
      'capd_topups_total',
      'capd_http_requests_total',
      'process_resident_memory_bytes',
    ]) {
      expect(names, name).toContain(name)
    }
    // Counters are `_total`; the rest of capd's are in base units.
    for (const [name, type] of e.types) {
      if (!name.startsWith('capd_')) continue
      if (type === 'counter') expect(name).toMatch(/_total$/)
      else expect(name).not.toMatch(/_total$/)
    }
  })

  it('counts a top-up by its source, and its price as revenue in minor units', async () => {
    const f = await metricsFixture()
    const before = await f.scrape()
    const amount = 1 + seededRandom(7).int(1, 10_000)
    const res = await f.call('POST', `/subscribers/${f.subscriber.id}/topups`, {
      bytes: 5e9,
      price: { amount, currency: 'USD' },
    })
    expect(res.status).toBe(201)
    const after = await f.scrape()
    const topUps = (e: Exposition, source: string) => sampleValue(e, 'capd_topups_total', { source })
    expect(topUps(after, 'operator') - topUps(before, 'operator')).toBe(1)
    expect(topUps(after, 'auto')).toBe(topUps(before, 'auto'))
    const revenue = (e: Exposition) =>
      sampleValue(e, 'capd_topup_revenue_minor_units_total', { source: 'operator', currency: 'USD' })
    expect(revenue(after) - revenue(before)).toBe(amount)
    // The API calls were counted too, in their group and status class.
    const created = (e: Exposition) =>
      sampleValue(e, 'capd_http_requests_total', { group: 'api', code: '2xx' })
    expect(created(after) - created(before)).toBe(1)
  })

  it('follows an agent: connected, usage booked, a replay, a push and its enforcement', async () => {
    const f = await metricsFixture()
    const start = await f.scrape()
    expect(sampleValue(start, 'capd_agents')).toBe(1)
    expect(sampleValue(start, 'capd_agents_connected')).toBe(0)
    expect(sampleValue(start, 'capd_subscribers', { state: 'open' })).toBe(1)

    const client = await connectAgent(f.server.wsUrl, f.agent.token)
    onTestFinished(() => client.close())
    client.send(hello(f.agent.id))
    await client.next('sync')
    expect(sampleValue(await f.scrape(), 'capd_agents_connected')).toBe(1)

    const rnd = seededRandom(11)
    const down = rnd.int(1, 1e9)
    const up = rnd.int(1, 1e9)
    client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.subscriber.id, down, up }]))
    await client.next('ack')
    // The same batch again: acked, booked no second time.
    client.send(usage('epoch-a', [{ seq: 1, subscriberId: f.subscriber.id, down, up }]))
    await client.next('ack')
    const used = await f.scrape()
    expect(sampleValue(used, 'capd_usage_bytes_ingested_total')).toBe(down + up)
    expect(sampleValue(used, 'capd_usage_entries_total', { outcome: 'booked' })).toBe(1)
    expect(sampleValue(used, 'capd_usage_entries_total', { outcome: 'duplicate' })).toBe(1)

    await f.call('POST', `/subscribers/${f.subscriber.id}/topups`, { topUpPlanId: f.topUpPlan.id })
    const push = await client.next('limits')
    const { limitVersion } = push.subscribers[0]
    // An older version reported enforced ends nothing; the pushed one ends the wait.
    client.send(stateReport(f.subscriber.id, 'open', limitVersion - 1, down + up))
    client.send(stateReport(f.subscriber.id, 'blocked', limitVersion, down + up))
    await waitFor(async () => sampleValue(await f.scrape(), 'capd_subscribers', { state: 'blocked' }) === 1)
    const enforced = await f.scrape()
    expect(sampleValue(enforced, 'capd_limit_push_latency_seconds_count')).toBe(1)
    expect(sampleValue(enforced, 'capd_limit_push_latency_seconds_bucket', { le: '+Inf' })).toBe(1)
    expect(sampleValue(enforced, 'capd_subscribers', { state: 'open' })).toBe(0)

    client.close()
    await waitFor(async () => sampleValue(await f.scrape(), 'capd_agents_connected') === 0)
  })

  it('counts each delivery attempt by channel and outcome, whatever the channel answers', async () => {
    const rnd = seededRandom(5)
    let sends = 0
    const sender: ChannelSender = {
      channel: 'email',
      async send(): Promise<SendOutcome> {
        sends++
        const roll = rnd.next()
        if (roll < 0.5) return { ok: true, ref: `r${sends}` }
        return { ok: false, error: 'try later', retry: roll < 0.9 }
      },
    }
    const f = await metricsFixture({ notify: { senders: [sender] } })
    for (let i = 0; i < 40; i++) await putDelivery(f.store, f.env, { status: 'queued' })
    const outbox = f.outbox!
    for (let pass = 0; pass < 200; pass++) {
      const open = Object.values(f.data.deliveries).filter((d) => d.status === 'queued')
      if (open.length === 0) break
      f.clock.set(Math.max(f.clock.now(), Math.min(...open.map((d) => d.nextAttemptAtMs))))
      await outbox.pass()
    }
    const rows = Object.values(f.data.deliveries)
    const e = await f.scrape()
    const count = (outcome: string) =>
      sampleValue(e, 'capd_notification_deliveries_total', { channel: 'email', outcome })
    expect(count('sent')).toBe(rows.filter((d) => d.status === 'sent').length)
    expect(count('failed')).toBe(rows.filter((d) => d.status === 'failed').length)
    expect(count('sent') + count('retry') + count('failed')).toBe(sends)
    expect(count('retry')).toBeGreaterThan(0)
  })

  it('times each durable write of the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-metrics-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const store = await openLowdbStore(dir, () => {})
    onTestFinished(() => store.close())
    const registry = processRegistry()
    promControllerMetrics(registry, { store, connectedAgents: () => 0 })
    const scrape = await scraper(registry)
    const writes = 1 + seededRandom(3).int(0, 5)
    for (let i = 0; i < writes; i++) {
      await store.transact((tx) => tx.settings.insert({ id: `s${i}`, value: String(i), setAtMs: i }))
    }
    const e = await scrape()
    expect(sampleValue(e, 'capd_store_commit_duration_seconds_count', { kind: 'log' })).toBe(writes)
    expect(sampleValue(e, 'capd_store_commit_duration_seconds_sum', { kind: 'log' })).toBeGreaterThan(0)
  })
})

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}
