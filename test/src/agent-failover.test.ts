/**
 * The real agent given two real controllers: when the one it reports to is killed, it connects to
 * the other and goes on reporting there. Each controller has its own embedded store here, copied
 * from one enrolment (so both know the agent's token); sharing one database is what makes usage
 * booked once across them, and is not what this test is about. Over wss:// the one pinned CA holds
 * for every controller: one whose certificate another CA signed is passed over without the token.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseExposition } from '@capd/protocol/testing/exposition'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { killAllAgents, startAgent, writeAgentConfig } from './support/agent-process.js'
import { apiClient, type Call } from './support/api-client.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import { httpsRequest } from './support/https-client.js'
import { prerequisite } from './support/prerequisite.js'
import { makeTestCa, opensslUnavailableReason, type TestCa } from './support/test-certs.js'
import { waitFor } from './support/wait-for.js'

const TOKEN = 'capd_agent-failover-test-admin-token-0123456789abcdef'

const noOpenssl = await opensslUnavailableReason()
const needs = prerequisite('the wss:// failover test', noOpenssl)
/** Skip where openssl is missing, except under CI=true, where that is a failure. */
const skipTls = needs.skip

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

const wsUrl = (c: ControllerProcess) => c.baseUrl.replace(/^http/, 'ws')

/** The operator API over http, or over https trusting `caPem`. */
function api(baseUrl: string, caPem: string | undefined): Call {
  if (!caPem) return apiClient(baseUrl, TOKEN)
  return async (method, path, body) => {
    const answer = await httpsRequest(`${baseUrl}/api/v1${path}`, {
      method,
      ca: caPem,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    })
    return { status: answer.status, body: answer.body ? JSON.parse(answer.body) : undefined, replayed: false }
  }
}

async function connected(call: Call, agentId: string): Promise<boolean> {
  const agents = (await call('GET', '/agents')).body.items as Array<{ id: string; connected: boolean }>
  return agents.find((a) => a.id === agentId)?.connected === true
}

async function usedBytes(call: Call, subscriberId: string): Promise<number> {
  return (await call('GET', `/subscribers/${subscriberId}`)).body.usage.usedBytes
}

/** A wss:// server with a certificate of another CA, counting the HTTP requests that reach it. */
async function impostor(other: TestCa) {
  const server = createHttpsServer({
    cert: await readFile(other.certFile),
    key: await readFile(other.keyFile),
  })
  const seen = { requests: 0 }
  server.on('request', (_req, res) => {
    seen.requests++
    res.writeHead(500).end()
  })
  server.on('upgrade', (_req, socket) => {
    seen.requests++
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `wss://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

async function failover(dir: string, tls: { ca: TestCa; other: TestCa } | undefined) {
  const env = { CAPD_BOOTSTRAP_TOKEN: TOKEN }
  const args = tls ? ['--tls-cert', tls.ca.certFile, '--tls-key', tls.ca.keyFile] : []
  const caPem = tls ? await readFile(tls.ca.caFile, 'utf8') : undefined
  // Enrol once, then give the second controller a copy of that store.
  const first = await startController({ dataDir: join(dir, 'a'), env, args })
  const setup = api(first.baseUrl, caPem)
  const plan = (await setup('POST', '/plans', { name: 'Basic', capBytes: 100e9, onCap: 'block' })).body
  const enrolled = (await setup('POST', '/agents', { name: 'tower-1' })).body
  const sub = await setup('POST', '/subscribers', {
    login: 'alice',
    name: 'Alice',
    address: '10.0.0.5',
    planId: plan.id,
    agentId: enrolled.id,
  })
  expect(sub.status).toBe(201)
  expect(await first.stop()).toBe(0)
  await cp(join(dir, 'a'), join(dir, 'b'), { recursive: true })
  const a = await startController({ dataDir: join(dir, 'a'), env, args })
  onTestFinished(() => a.kill())
  const b = await startController({ dataDir: join(dir, 'b'), env, args })
  onTestFinished(() => b.kill())
  const callA = api(a.baseUrl, caPem)
  const callB = api(b.baseUrl, caPem)
  const wrongCa = tls ? await impostor(tls.other) : undefined

  const configPath = join(dir, 'agent.json')
  await writeAgentConfig(configPath, {
    controllers: [...(wrongCa ? [wrongCa.url] : []), wsUrl(a), wsUrl(b)],
    ...(tls ? { controllerTls: { ca: tls.ca.caFile } } : {}),
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
  const metricsUrl = `http://127.0.0.1:${logged(agent.output(), 'metricsPort')}/metrics`
  const controllerInfo = async () =>
    parseExposition(await (await fetch(metricsUrl)).text())
      .samples.filter((s) => s.name === 'capd_agent_controller_info')
      .map((s) => s.labels.url)

  await waitFor('the agent on the first controller', () => connected(callA, enrolled.id))
  await waitFor('usage booked at the first', async () => (await usedBytes(callA, sub.body.id)) > 0)
  expect(await controllerInfo()).toEqual([wsUrl(a)])
  expect(await connected(callB, enrolled.id)).toBe(false)
  const bookedAtB = await usedBytes(callB, sub.body.id)

  await a.kill()
  await waitFor('the agent on the second controller', () => connected(callB, enrolled.id))
  await waitFor('the agent metrics to name the second', async () => {
    const urls = await controllerInfo()
    return urls.length === 1 && urls[0] === wsUrl(b)
  })
  await waitFor('usage booked at the second', async () => (await usedBytes(callB, sub.body.id)) > bookedAtB)
  expect(agent.output()).toContain(`connected to the controller ${wsUrl(b)}`)
  if (wrongCa) {
    // Tried first, refused in the TLS handshake: no request reached it, so neither did the token.
    expect(agent.output()).toContain("the controller's TLS certificate was refused")
    expect(wrongCa.seen.requests).toBe(0)
  }
  expect(await agent.stop()).toBe(0)
}

describe('an agent with two controllers', () => {
  it('moves to the second when the first is killed, and reports there', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-failover-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    await failover(dir, undefined)
  })

  it.skipIf(skipTls)(
    `does so over wss:// with one pinned CA for both, passing over a third it does not trust${skipTls ? ` (skipped: ${noOpenssl})` : ''}`,
    { timeout: 120_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'capd-failover-tls-'))
      onTestFinished(() => rm(dir, { recursive: true, force: true }))
      await failover(dir, { ca: await makeTestCa(dir, 'isp'), other: await makeTestCa(dir, 'other') })
    },
  )
})
