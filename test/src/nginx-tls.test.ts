/**
 * capd behind Debian's nginx configured with docs/nginx-capd.conf (only ports and certificate
 * paths changed): agents over wss:// pinning a private CA, live-page event streams passed on
 * unbuffered, Secure session cookies over https, and an agent that refuses a certificate its
 * pinned CA did not sign. Real processes throughout: nginx, the controller and the agent.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAllAgents, startAgent, writeAgentConfig } from './support/agent-process.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import { http2Request, httpsRequest, openEventStream } from './support/https-client.js'
import { type NginxProcess, nginxUnavailableReason, startNginx } from './support/nginx.js'
import { prerequisite } from './support/prerequisite.js'
import { makeTestCa, opensslUnavailableReason, type TestCa } from './support/test-certs.js'
import { freePort, waitFor } from './support/wait-for.js'

const TOKEN = 'e2e-nginx-admin-token-0123456789abcdef'
const PASSWORD = 'e2e-nginx-admin-password'

const unavailable = (await nginxUnavailableReason()) ?? (await opensslUnavailableReason())
const needs = prerequisite('nginx TLS tests', unavailable)
/** Skip where nginx or openssl is missing, except under CI=true, where that is a failure. */
const skip = needs.skip

describe.skipIf(skip)(needs.title('the controller behind nginx with TLS'), () => {
  let dir: string
  let ca: TestCa
  let caPem: string
  let other: TestCa
  let controller: ControllerProcess
  let nginx: NginxProcess | undefined
  /** `https://127.0.0.1:<nginx port>` */
  let proxied: string

  const api = async (method: string, path: string, body?: object, headers: Record<string, string> = {}) => {
    const answer = await httpsRequest(`${proxied}/api/v1${path}`, {
      method,
      ca: caPem,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: answer.status, body: answer.body ? (JSON.parse(answer.body) as any) : undefined }
  }
  const must = async (answer: ReturnType<typeof api>, status: number) => {
    const { status: got, body } = await answer
    if (got !== status) throw new Error(`expected HTTP ${status}, got ${got}: ${JSON.stringify(body)}`)
    return body
  }
  const loginInit = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'admin', password: PASSWORD }).toString(),
  }
  /** The operator login form, sent through nginx. */
  const logInOverTls = () => httpsRequest(`${proxied}/login`, { ...loginInit, ca: caPem })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-nginx-'))
    ca = await makeTestCa(dir, 'isp')
    other = await makeTestCa(dir, 'other')
    caPem = await readFile(ca.caFile, 'utf8')
    controller = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN, CAPD_ADMIN_PASSWORD: PASSWORD },
      args: ['--client-address-header', 'X-Forwarded-For'],
    })
    const httpsPort = await freePort()
    nginx = await startNginx(join(dir, 'nginx'), {
      httpsPort,
      httpPort: await freePort(),
      controllerPort: Number(new URL(controller.baseUrl).port),
      certFile: ca.certFile,
      keyFile: ca.keyFile,
    })
    proxied = `https://127.0.0.1:${httpsPort}`
  }, 60_000)

  afterAll(async () => {
    await killAllAgents()
    await nginx?.stop()
    await killAllControllers()
    await rm(dir, { recursive: true, force: true })
  })

  it('an agent connects over wss:// through nginx, pinning the CA, and takes a limit push', {
    timeout: 60_000,
  }, async () => {
    const agentRow = await must(api('POST', '/agents', { name: 'tower-wss' }), 201)
    const configPath = join(dir, 'agent-wss.json')
    await writeAgentConfig(configPath, {
      controller: proxied.replace(/^https/, 'wss'),
      controllerTls: { ca: ca.caFile },
      token: agentRow.token,
      stateDir: join(dir, 'agent-wss'),
      pollIntervalMs: 200,
      fastPollIntervalMs: 100,
      router: { kind: 'simulated', bytesPerSecond: 2_000_000 },
    })
    const agent = await startAgent(configPath)
    const connected = async () =>
      (await must(api('GET', '/agents'), 200)).items.find((a: { id: string }) => a.id === agentRow.id)
        ?.connected
    await waitFor('the agent to connect through nginx', connected)
    expect(agent.output()).not.toMatch(/WARNING/)

    const plan = await must(api('POST', '/plans', { name: '2 MB', capBytes: 2_000_000, onCap: 'block' }), 201)
    const sub = await must(
      api('POST', '/subscribers', {
        name: 'Bea',
        login: 'bea',
        planId: plan.id,
        agentId: agentRow.id,
        address: '10.9.0.2',
      }),
      201,
    )
    const read = async () =>
      (await must(api('GET', `/subscribers/${sub.id}`), 200)) as {
        state: string
        usage: { usedBytes: number; limitBytes: number }
      }
    await waitFor(
      'the agent to count Bea up to her cap and block her',
      async () => (await read()).state === 'blocked',
    )
    const capped = (await read()).usage.usedBytes
    expect(capped).toBe(2_000_000)
    await must(
      api(
        'POST',
        `/subscribers/${sub.id}/topups`,
        { bytes: 20_000_000, price: { amount: 0, currency: 'USD' } },
        { 'idempotency-key': 'nginx-topup-1' },
      ),
      201,
    )
    // Only the pushed limit lets the simulated router pass traffic again.
    await waitFor('usage past the old cap (the new limit reached the agent)', async () => {
      const now = await read()
      return now.state === 'open' && now.usage.usedBytes > capped + 1_000_000
    })
    await agent.stop()
  })

  it('passes the live-page event stream on as it comes, while the connection stays open', {
    timeout: 30_000,
  }, async () => {
    const login = await logInOverTls()
    const cookie = String(login.headers['set-cookie']).split(';')[0]!
    const stream = await openEventStream(`${proxied}/events`, { ca: caPem, headers: { cookie } })
    try {
      expect(stream.status).toBe(200)
      await waitFor('the first event through nginx', () => stream.events.includes('ready'), {
        timeoutMs: 5_000,
      })
      await must(api('POST', '/plans', { name: `live ${Date.now()}`, capBytes: 1e9, onCap: 'block' }), 201)
      const plans = (await must(api('GET', '/plans'), 200)).items as Array<{ id: string }>
      const agents = (await must(api('GET', '/agents'), 200)).items as Array<{ id: string }>
      await must(
        api('POST', '/subscribers', {
          name: 'Cy',
          login: `cy-${Date.now()}`,
          planId: plans.at(-1)!.id,
          agentId: agents[0]!.id,
          address: '10.9.0.3',
        }),
        201,
      )
      await waitFor('a change event through nginx', () => stream.events.includes('change'), {
        timeoutMs: 5_000,
      })
      expect(stream.open).toBe(true)
    } finally {
      stream.close()
    }
  })

  it('marks the session cookie Secure over https through nginx, and not over plain http', async () => {
    const overTls = await logInOverTls()
    expect(overTls.status).toBe(303)
    const secure = ([] as string[]).concat(overTls.headers['set-cookie'] ?? [])
    expect(secure.find((c) => c.startsWith('capd_session='))).toMatch(/;\s*Secure/i)

    const plain = await fetch(`${controller.baseUrl}/login`, { ...loginInit, redirect: 'manual' })
    expect(plain.status).toBe(303)
    const cookie = plain.headers.getSetCookie().find((c) => c.startsWith('capd_session='))
    expect(cookie).toBeDefined()
    expect(cookie).not.toMatch(/Secure/i)
  })

  it('offers agents the wss:// address the operator reached through nginx over HTTP/2', async () => {
    const login = await http2Request(`${proxied}/login`, { ...loginInit, ca: caPem })
    expect(login.status).toBe(303)
    const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? [])
    const session = cookies.find((c) => c.startsWith('capd_session='))
    expect(session).toMatch(/;\s*Secure/i)
    const cookie = session!.split(';')[0]!
    const page = await http2Request(`${proxied}/agents`, {
      ca: caPem,
      headers: { cookie, accept: 'text/html' },
    })
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page.body)?.[1] ?? ''
    const enrol = await http2Request(`${proxied}/agents`, {
      method: 'POST',
      ca: caPem,
      // As a browser sends it: the same-site check compares Origin with the forwarded host.
      headers: {
        cookie,
        accept: 'text/html',
        origin: proxied,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        _csrf: field('_csrf'),
        idempotencyKey: field('idempotencyKey'),
        name: 'tower-enrolled-via-nginx',
        driver: 'nftables',
      }).toString(),
    })
    expect(enrol.status).toBe(200)
    expect(enrol.body).toContain(`&quot;controller&quot;: &quot;${proxied.replace(/^https/, 'wss')}&quot;`)
    expect(enrol.body).not.toContain('agent-plain-text')
  })

  it('an agent pinned to another CA refuses the certificate, says why and sends nothing', {
    timeout: 30_000,
  }, async () => {
    const agentRow = await must(api('POST', '/agents', { name: 'tower-wrong-ca' }), 201)
    const configPath = join(dir, 'agent-wrong-ca.json')
    await writeAgentConfig(configPath, {
      controller: proxied.replace(/^https/, 'wss'),
      controllerTls: { ca: other.caFile },
      token: agentRow.token,
      stateDir: join(dir, 'agent-wrong-ca'),
      router: { kind: 'simulated' },
    })
    const agent = await startAgent(configPath)
    await waitFor('the agent to report the refused certificate', () =>
      /certificate was refused .*not signed by the CA in controllerTls\.ca/.test(agent.output()),
    )
    const row = (await must(api('GET', '/agents'), 200)).items.find(
      (a: { id: string }) => a.id === agentRow.id,
    )
    expect(row.connected).toBe(false)
    expect(row.lastSeenAt ?? null).toBeNull()
    await agent.stop()
  })

  it('passes an import file over the site-wide 256 KB cap to the controller, and only on its own path', {
    timeout: 30_000,
  }, async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      line: i + 2,
      login: `bulk-${i}`,
      name: `Bulk subscriber number ${i} with a longer name`,
      address: `10.20.${Math.floor(i / 250)}.${i % 250}`,
      plan: 'no such plan',
      agent: 'no such agent',
    }))
    const body = JSON.stringify({ dryRun: true, rows })
    expect(body.length).toBeGreaterThan(300 * 1024)
    const headers = { 'content-type': 'application/json', 'x-request-id': 'import-through-nginx' }
    const imported = await api('POST', '/subscribers/import', { dryRun: true, rows }, headers)
    // A dry run whose rows name a plan that does not exist: the controller read and refused them all.
    expect(imported.status).toBe(200)
    expect(imported.body.rows).toHaveLength(rows.length)
    expect(imported.body.counts.refused).toBe(rows.length)

    // The same body anywhere else stops at nginx (an HTML page, not the controller's JSON).
    const elsewhere = await httpsRequest(`${proxied}/api/v1/plans`, {
      method: 'POST',
      ca: caPem,
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      body,
    })
    expect(elsewhere.status).toBe(413)
    expect(elsewhere.body).toMatch(/<html>/)
  })

  it("hands the controller nginx's request id, which the controller answers with", async () => {
    const answer = await httpsRequest(`${proxied}/healthz`, { ca: caPem })
    expect(answer.status).toBe(200)
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
  })

  // Last: it leaves 127.0.0.1 throttled for the name it guesses at (not the admin's).
  it('takes the client address nginx wrote: a forged X-Forwarded-For does not escape the login throttle', async () => {
    const guess = (forged: string) =>
      httpsRequest(`${proxied}/login`, {
        ...loginInit,
        headers: { ...loginInit.headers, 'x-forwarded-for': forged },
        body: new URLSearchParams({ username: 'mallory', password: `guess-${forged}` }).toString(),
        ca: caPem,
      })
    for (let i = 1; i <= 5; i++) expect((await guess(`203.0.113.${i}`)).status).toBe(401)
    // A new forged address each time, yet the controller counts them all against 127.0.0.1, the
    // address nginx appended (the client's own entries come before it and are not believed).
    const throttled = await guess('203.0.113.99')
    expect(throttled.status).toBe(429)
    expect(throttled.headers['retry-after']).toMatch(/^\d+$/)
  })
})
