/**
 * The real controller with `--metrics-listen`: Prometheus text on that port only, /readyz and
 * request ids on the app's port, JSON log lines saying where the metrics are; a bad address is
 * refused before anything starts.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseExposition, sampleValue } from '@capd/protocol/testing/exposition'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { apiClient } from './support/api-client.js'
import { killAllControllers, startController } from './support/controller-process.js'
import { promtoolCheck, promtoolTitle, skipPromtool } from './support/promtool.js'

const TOKEN = 'capd_metrics-test-admin-token-0123456789abcdefghij'

afterAll(() => killAllControllers())

/** Where the controller says, in its start-up log line, that its metrics are served. */
function metricsUrlOf(controller: { output(): string }): string | undefined {
  return controller
    .output()
    .split('\n')
    .map((l) => (l.startsWith('{') ? (JSON.parse(l) as Record<string, unknown>) : undefined))
    .find((r) => typeof r?.metricsUrl === 'string')?.metricsUrl as string | undefined
}

describe('the controller process', () => {
  it('serves metrics on --metrics-listen only, says where in its log, and answers /readyz', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-metrics-e2e-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const controller = await startController({
      dataDir: dir,
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
      args: ['--metrics-listen', '127.0.0.1:0'],
    })
    onTestFinished(() => controller.kill())
    const said = metricsUrlOf(controller)
    expect(said, controller.output()).toBeDefined()
    const metricsUrl = said!
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)

    const ready = await fetch(`${controller.baseUrl}/readyz`, { headers: { 'x-request-id': 'probe-1' } })
    expect(ready.status).toBe(200)
    expect(ready.headers.get('x-request-id')).toBe('probe-1')
    const plan = await fetch(`${controller.baseUrl}/api/v1/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Basic', capBytes: 1e9, onCap: 'block' }),
    })
    expect(plan.status).toBe(201)
    const onApp = await fetch(`${controller.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(onApp.status).toBe(404)

    const scraped = parseExposition(await (await fetch(metricsUrl)).text())
    expect(sampleValue(scraped, 'capd_http_requests_total', { group: 'api', code: '2xx' })).toBe(1)
    expect(sampleValue(scraped, 'capd_http_requests_total', { group: 'health', code: '2xx' })).toBe(1)
    // A real store on disk: the plan's write was timed.
    expect(sampleValue(scraped, 'capd_store_commit_duration_seconds_count', { kind: 'log' })).toBeGreaterThan(
      0,
    )
    expect(sampleValue(scraped, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(await controller.stop()).toBe(0)
  })

  it.skipIf(skipPromtool)(
    promtoolTitle('after a top-up, its scrape moves capd_topups_total and passes promtool check metrics'),
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'capd-metrics-promtool-'))
      onTestFinished(() => rm(dir, { recursive: true, force: true }))
      const controller = await startController({
        dataDir: dir,
        env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
        args: ['--metrics-listen', '127.0.0.1:0'],
      })
      onTestFinished(() => controller.kill())
      const metricsUrl = metricsUrlOf(controller)!
      const call = apiClient(controller.baseUrl, TOKEN)
      const plan = (await call('POST', '/plans', { name: 'Basic', capBytes: 1e9, onCap: 'block' })).body
      const agent = (await call('POST', '/agents', { name: 'tower-1' })).body
      const subscriber = await call('POST', '/subscribers', {
        login: 'alice',
        name: 'Alice',
        address: '10.0.0.5',
        planId: plan.id,
        agentId: agent.id,
      })
      expect(subscriber.status).toBe(201)
      const scrape = async () => (await fetch(metricsUrl)).text()
      const topups = (text: string) =>
        parseExposition(text)
          .samples.filter((s) => s.name === 'capd_topups_total')
          .reduce((sum, s) => sum + s.value, 0)
      const before = await scrape()
      const topup = await call('POST', `/subscribers/${subscriber.body.id}/topups`, {
        bytes: 2e9,
        price: { amount: 250, currency: 'USD' },
      })
      expect(topup.status).toBe(201)
      const after = await scrape()
      expect(topups(after) - topups(before)).toBe(1)
      const check = promtoolCheck(after)
      expect(check.output).toBe('')
      expect(check.status).toBe(0)
    },
  )

  it('refuses a bad --metrics-listen and a bad CAPD_LOG_FORMAT with exit code 2 and the reason', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url))
    const tsx = createRequire(import.meta.url).resolve('tsx')
    const { NODE_OPTIONS: _ignored, ...env } = process.env
    const run = (args: string[], extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', tsx, 'controller/src/main.ts', ...args], {
        cwd: root,
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 20_000,
      })
    const badAddress = run(['--metrics-listen', '127.0.0.1'])
    expect(badAddress.status).toBe(2)
    expect(badAddress.stderr).toMatch(/--metrics-listen: "127\.0\.0\.1" is not HOST:PORT/)
    const badFormat = run(['--data', '/nonexistent/capd'], { CAPD_LOG_FORMAT: 'xml' })
    expect(badFormat.status).toBe(2)
    expect(badFormat.stderr).toMatch(/CAPD_LOG_FORMAT must be json or pretty, not "xml"/)
  })
})
