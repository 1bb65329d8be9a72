/** The metrics listener is the controller's only door to its figures: its own port, never the app's. */

import { silentLogger } from '@capd/log'
import { processRegistry } from '@capd/metrics'
import { parseExposition, sampleValue } from '@capd/protocol/testing/exposition'
import { describe, expect, it, onTestFinished } from 'vitest'
import { bootstrap } from '../auth/bootstrap.js'
import { manualClock } from '../clock.js'
import { runController } from '../controller.js'
import type { DomainEnv } from '../domain/env.js'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import { TEST_TOKEN } from '../testing/test-app.js'

describe('the metrics listener', () => {
  it('serves /metrics on its own port, counts the app’s requests, and the app never serves them', async () => {
    const store = new DocumentStore(emptyData(), null)
    const env: DomainEnv = {
      clock: manualClock(Date.parse('2026-03-10T12:00:00Z')),
      timeZone: 'UTC',
      currency: 'USD',
      idempotencyTtlMs: 3600_000,
    }
    await bootstrap(store, env, { bootstrapToken: TEST_TOKEN })
    const controller = await runController({
      store,
      env,
      logger: silentLogger,
      port: 0,
      host: '127.0.0.1',
      metrics: { registry: processRegistry(), listen: { host: '127.0.0.1', port: 0 } },
    })
    onTestFinished(() => controller.stop())
    expect(controller.metricsPort).toBeGreaterThan(0)
    expect(controller.metricsPort).not.toBe(controller.port)
    const app = `http://127.0.0.1:${controller.port}`
    const metrics = `http://127.0.0.1:${controller.metricsPort}`

    const onApp = await fetch(`${app}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    expect(onApp.status).toBe(404)
    await onApp.text()
    const notFound = (e: ReturnType<typeof parseExposition>) =>
      sampleValue(e, 'capd_http_requests_total', { group: 'ui', code: '4xx' })
    const before = parseExposition(await (await fetch(`${metrics}/metrics`)).text())
    const misses = 2 + Math.floor(Math.random() * 3)
    for (let i = 0; i < misses; i++) await (await fetch(`${app}/no-such-page-${i}`)).text()
    const after = parseExposition(await (await fetch(`${metrics}/metrics`)).text())
    expect(notFound(after) - notFound(before)).toBe(misses)
    expect(sampleValue(after, 'capd_agents_connected')).toBe(0)

    expect((await fetch(`${metrics}/healthz`)).status).toBe(200)
    expect((await fetch(`${metrics}/other`)).status).toBe(404)
    expect((await fetch(`${metrics}/metrics`, { method: 'POST' })).status).toBe(405)
  })
})
