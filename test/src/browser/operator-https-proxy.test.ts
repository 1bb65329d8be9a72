/**
 * The operator in Debian's chromium, over https through Debian's nginx configured with
 * docs/nginx-capd.conf, in front of a real controller and a real agent (wss:// through the same
 * nginx, pinning the test CA) on a simulated router: the login sets a Secure cookie, and a
 * subscriber page follows usage and a top-up live over the event stream nginx passes on unbuffered,
 * to a browser speaking HTTP/2 and to one speaking HTTP/1.1. The browser trusts exactly the
 * server's key; one trusting another key refuses the site.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page, Request } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type AgentProcess, killAllAgents, startAgent, writeAgentConfig } from '../support/agent-process.js'
import { browserTitle, launchBrowser, newContext, skipBrowser, waitForText } from '../support/browser.js'
import { type ControllerProcess, killAllControllers, startController } from '../support/controller-process.js'
import { watchPage } from '../support/csp-watch.js'
import { httpsRequest } from '../support/https-client.js'
import { type InPageGlobals, markDocument, sameDocument } from '../support/in-page.js'
import { type NginxProcess, nginxUnavailableReason, startNginx } from '../support/nginx.js'
import { prerequisite } from '../support/prerequisite.js'
import { saveFailurePictures } from '../support/screenshots.js'
import { makeTestCa, opensslUnavailableReason, spkiSha256, type TestCa } from '../support/test-certs.js'
import { operatorLogin } from '../support/ui-login.js'
import { ADMIN, MB } from '../support/ui-stack.js'
import { freePort, waitFor } from '../support/wait-for.js'

const TOKEN = 'e2e-https-ui-admin-token-0123456789abcdef'

/** What chromium reports the page was loaded over (`nextHopProtocol`). */
type Protocol = 'h2' | 'http/1.1'

function nextHopProtocol(page: Page): Promise<string> {
  return page.evaluate(() => {
    const timing = (globalThis as unknown as InPageGlobals).performance as {
      getEntriesByType(type: string): Array<{ nextHopProtocol: string }>
    }
    return timing.getEntriesByType('navigation')[0]?.nextHopProtocol ?? ''
  })
}

const unavailable = (await nginxUnavailableReason()) ?? (await opensslUnavailableReason())
const needs = prerequisite('browser-through-nginx tests', unavailable)
/** Skip where nginx or openssl is missing, except under CI=true, where that is a failure. */
const skip = skipBrowser || needs.skip

describe.skipIf(skip)(
  browserTitle(
    `the operator UI in a browser through nginx with TLS${skip && unavailable ? ` (skipped: ${unavailable})` : ''}`,
  ),
  () => {
    let dir: string
    let ca: TestCa
    let other: TestCa
    let caPem: string
    let controller: ControllerProcess
    let nginx: NginxProcess | undefined
    let agent: AgentProcess | undefined
    let agentId: string
    let planId: string
    /** One browser per protocol it may speak to nginx (both trust the same key). */
    const browsers = new Map<Protocol, Browser>()
    let contexts: BrowserContext[] = []
    /** `https://127.0.0.1:<nginx port>`: the only address the browser and the agent are given. */
    let proxied: string
    let nginxPort: number

    /** The JSON API, through nginx. */
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    const api = async (method: string, path: string, status: number, body?: object): Promise<any> => {
      const answer = await httpsRequest(`${proxied}/api/v1${path}`, {
        method,
        ca: caPem,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          'idempotency-key': `https-ui-${Math.random()}`,
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
      if (answer.status !== status) {
        throw new Error(`${method} ${path}: expected HTTP ${status}, got ${answer.status}: ${answer.body}`)
      }
      return answer.body ? JSON.parse(answer.body) : undefined
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'capd-https-ui-'))
      ca = await makeTestCa(dir, 'isp')
      other = await makeTestCa(dir, 'other')
      caPem = await readFile(ca.caFile, 'utf8')
      controller = await startController({
        dataDir: join(dir, 'data'),
        env: { CAPD_BOOTSTRAP_TOKEN: TOKEN, CAPD_ADMIN_PASSWORD: ADMIN.password },
        args: ['--client-address-header', 'X-Forwarded-For'],
      })
      nginxPort = await freePort()
      nginx = await startNginx(join(dir, 'nginx'), {
        httpsPort: nginxPort,
        httpPort: await freePort(),
        controllerPort: Number(new URL(controller.baseUrl).port),
        certFile: ca.certFile,
        keyFile: ca.keyFile,
      })
      proxied = `https://127.0.0.1:${nginxPort}`

      planId = (await api('POST', '/plans', 201, { name: 'Starter 6 MB', capBytes: 6 * MB, onCap: 'block' }))
        .id
      const row = await api('POST', '/agents', 201, { name: 'tower-wss (simulated)' })
      agentId = row.id
      const configPath = join(dir, 'agent.json')
      await writeAgentConfig(configPath, {
        controller: proxied.replace(/^https/, 'wss'),
        controllerTls: { ca: ca.caFile },
        token: row.token,
        stateDir: join(dir, 'agent-state'),
        pollIntervalMs: 300,
        router: { kind: 'simulated', bytesPerSecond: 1 * MB },
      })
      // Trusts the one key nginx's certificate holds, as a browser that imported the ISP's CA
      // would trust the certificates it signs; every other certificate error still stops a page.
      const trust = `--ignore-certificate-errors-spki-list=${await spkiSha256(ca.certFile)}`
      const [started, h2, h1] = await Promise.all([
        startAgent(configPath),
        launchBrowser([trust]),
        launchBrowser([trust, '--disable-http2']),
      ])
      agent = started
      browsers.set('h2', h2).set('http/1.1', h1)
      await waitFor('the agent to connect through nginx', async () =>
        (await api('GET', '/agents', 200)).items.some(
          (a: { id: string; connected: boolean }) => a.id === agentId && a.connected,
        ),
      )
    }, 60_000)

    afterEach(async ({ task }) => {
      const open = contexts
      contexts = []
      if (task.result?.state === 'fail') {
        const pictures = await saveFailurePictures(task.name, open)
        const nginxLog = (await nginx?.errorLog()) ?? ''
        console.error(
          `pictures of the failed test in ${pictures}\n--- controller\n${controller?.output().slice(-3000)}\n--- agent\n${agent?.output().slice(-2000)}\n--- nginx\n${nginxLog.slice(-2000)}`,
        )
      }
      await Promise.all(open.map((c) => c.close().catch(() => {})))
    })

    afterAll(async () => {
      await Promise.all([...browsers.values()].map((b) => b.close()))
      await killAllAgents()
      await nginx?.stop()
      await killAllControllers()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    const context = async (b: Browser) => {
      const c = await newContext(b, proxied)
      contexts.push(c)
      return c
    }

    // Over HTTP/2 nginx 1.22 passes the stream on even when told to buffer it; over HTTP/1.1 (a
    // browser that does not offer h2, a proxy in between) only `proxy_buffering off` lets it through.
    it.each([
      ['h2', 'Bea Santos', '10.40.0.2'],
      ['http/1.1', 'Ben Santos', '10.40.0.3'],
    ] as const)(
      'logs in over https (%s) with a Secure cookie; a subscriber page follows usage and a top-up live through nginx',
      {
        timeout: 60_000,
      },
      async (protocol, name, address) => {
        const bea = await api('POST', '/subscribers', 201, {
          name,
          login: name.split(' ')[0]!.toLowerCase(),
          planId,
          agentId,
          address,
        })
        const ctx = await context(browsers.get(protocol)!)
        const page = await ctx.newPage()
        const problems = watchPage(page)
        // Chromium asks for /favicon.ico by itself and capd has none: that 404 is the only error allowed.
        const consoleErrors: string[] = []
        page.on('console', (message) => {
          const at = message.location().url
          if (message.type() === 'error' && !at.endsWith('/favicon.ico'))
            consoleErrors.push(`${message.text()} (${at})`)
        })
        const streams: Request[] = []
        page.on('request', (request) => {
          if (request.resourceType() === 'eventsource') streams.push(request)
        })

        await operatorLogin(page, `/subscribers/${bea.id}`)
        expect(new URL(page.url()).origin).toBe(proxied)
        expect(await nextHopProtocol(page)).toBe(protocol)
        const session = (await ctx.cookies(proxied)).find((c) => c.name === 'capd_session')
        expect(session).toMatchObject({ secure: true, httpOnly: true })

        await page.getByRole('heading', { level: 1, name: bea.name }).waitFor()
        // Held in nginx's buffer, the stream's first event never comes and the page never says so.
        await page.waitForSelector('body[data-live="connected"]', { timeout: 15_000 })
        // The page's event stream is the one nginx serves, over TLS, on the address the browser used.
        expect(streams.length).toBe(1)
        const stream = streams[0]!
        expect(new URL(stream.url()).origin).toBe(proxied)
        const answer = await stream.response()
        expect(answer?.status()).toBe(200)
        expect(await answer?.serverAddr()).toMatchObject({ port: nginxPort })
        expect((await answer?.securityDetails())?.protocol).toMatch(/^TLS/)
        await markDocument(page)

        // The agent counts Bea's traffic over wss:// through nginx; the open page follows it to her cap.
        const usage = page.locator('#usage')
        const remaining = usage.locator('.remaining')
        const first = (await remaining.textContent()) ?? ''
        await remaining.filter({ hasNotText: first }).waitFor({ timeout: 15_000 })
        await waitForText(usage.locator('.badge'), 'blocked', 20_000)
        await waitForText(usage.locator('.run-out'), 'Limit reached')
        expect((await api('GET', `/subscribers/${bea.id}`, 200)).state).toBe('blocked')

        // A top-up through the API (through nginx too): the page shows her open again, data left.
        await api('POST', `/subscribers/${bea.id}/topups`, 201, {
          bytes: 200 * MB,
          price: { amount: 0, currency: 'USD' },
        })
        await waitForText(usage.locator('.badge'), 'open', 15_000)
        await waitForText(remaining, /^[1-9][\d.]* MB left$/)

        expect(await sameDocument(page)).toBe(true)
        expect(streams.length).toBe(1)
        expect(problems.describe()).toBe('')
        expect(consoleErrors).toEqual([])
      },
    )

    it('a browser trusting another key refuses the site before any page or cookie', {
      timeout: 30_000,
    }, async () => {
      const wrong = await launchBrowser([
        `--ignore-certificate-errors-spki-list=${await spkiSha256(other.certFile)}`,
      ])
      try {
        const ctx = await context(wrong)
        const page = await ctx.newPage()
        await expect(page.goto(`${proxied}/login`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/)
        expect(await ctx.cookies(proxied)).toEqual([])
      } finally {
        await wrong.close()
      }
    })
  },
)
