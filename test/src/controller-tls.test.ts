/**
 * The controller serving TLS itself (`--tls-cert`, `--tls-key`), no proxy: a real agent reaches it
 * over wss:// pinning the CA, logins get Secure cookies, bad files stop the start with exit code 2
 * naming the path, and SIGHUP takes a renewed certificate without a restart.
 */
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAllAgents, startAgent, writeAgentConfig } from './support/agent-process.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import { httpsRequest } from './support/https-client.js'
import { prerequisite } from './support/prerequisite.js'
import { makeTestCa, opensslUnavailableReason, type TestCa } from './support/test-certs.js'
import { waitFor } from './support/wait-for.js'

const TOKEN = 'e2e-native-tls-admin-token-0123456789abcdef'
const PASSWORD = 'e2e-native-tls-admin-password'

const unavailable = await opensslUnavailableReason()
const needs = prerequisite('native TLS tests', unavailable)
/** Skip where openssl is missing, except under CI=true, where that is a failure. */
const skip = needs.skip

describe.skipIf(skip)(needs.title('the controller serving TLS itself'), () => {
  let dir: string
  let ca: TestCa
  let renewed: TestCa
  let caPem: string
  /** The files the controller is started with; a renewal is copied over them. */
  let certFile: string
  let keyFile: string
  let controller: ControllerProcess

  const api = async (method: string, path: string, body?: object) => {
    const answer = await httpsRequest(`${controller.baseUrl}/api/v1${path}`, {
      method,
      ca: caPem,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: answer.status, body: answer.body ? (JSON.parse(answer.body) as any) : undefined }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-native-tls-'))
    ca = await makeTestCa(dir, 'isp')
    renewed = await makeTestCa(dir, 'renewed')
    caPem = await readFile(ca.caFile, 'utf8')
    certFile = join(dir, 'served-cert.pem')
    keyFile = join(dir, 'served-key.pem')
    await copyFile(ca.certFile, certFile)
    await copyFile(ca.keyFile, keyFile)
    controller = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN, CAPD_ADMIN_PASSWORD: PASSWORD },
      args: ['--tls-cert', certFile, '--tls-key', keyFile],
    })
  }, 60_000)

  afterAll(async () => {
    await killAllAgents()
    await killAllControllers()
    await rm(dir, { recursive: true, force: true })
  })

  it('says it listens on https, and an agent pinning the CA connects over wss://', {
    timeout: 60_000,
  }, async () => {
    expect(controller.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const enrolled = await api('POST', '/agents', { name: 'tower-native' })
    expect(enrolled.status).toBe(201)
    const configPath = join(dir, 'agent.json')
    await writeAgentConfig(configPath, {
      controller: controller.baseUrl.replace(/^https/, 'wss'),
      controllerTls: { ca: ca.caFile },
      token: enrolled.body.token,
      stateDir: join(dir, 'agent-state'),
      router: { kind: 'simulated' },
    })
    const agent = await startAgent(configPath)
    await waitFor('the agent to connect over wss://', async () => {
      const { body } = await api('GET', '/agents')
      return body.items.find((a: { id: string }) => a.id === enrolled.body.id)?.connected === true
    })
    expect(agent.output()).not.toMatch(/WARNING|certificate was refused/)
    await agent.stop()
  })

  it('marks the session cookie Secure', async () => {
    const login = await httpsRequest(`${controller.baseUrl}/login`, {
      method: 'POST',
      ca: caPem,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'admin', password: PASSWORD }).toString(),
    })
    expect(login.status).toBe(303)
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('capd_session='))
    expect(cookie).toMatch(/;\s*Secure/i)
  })

  it.each([
    [
      'a missing certificate',
      () => ['--tls-cert', join(dir, 'absent.pem'), '--tls-key', keyFile],
      /--tls-cert: cannot read .*absent\.pem/,
    ],
    [
      'a missing key',
      () => ['--tls-cert', certFile, '--tls-key', join(dir, 'absent-key.pem')],
      /--tls-key: cannot read .*absent-key\.pem/,
    ],
    [
      'a key of another certificate',
      () => ['--tls-cert', certFile, '--tls-key', renewed.keyFile],
      /are not a PEM certificate and its private key/,
    ],
    [
      'a key given as the certificate',
      () => ['--tls-cert', keyFile, '--tls-key', keyFile],
      /are not a PEM certificate and its private key/,
    ],
    ['only one of the two', () => ['--tls-cert', certFile], /--tls-cert: goes with --tls-key/],
  ])('refuses to start with %s: exit code 2, naming it', async (_what, args, message) => {
    const dataDir = join(dir, `refused-${Math.random()}`)
    const start = startController({ dataDir, args: args() })
    await expect(start).rejects.toThrow(/exited \(code 2\) before it was ready/)
    await expect(start).rejects.toThrow(message)
    // Refused before the store is opened: nothing was created.
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/)
  })

  it('serves a renewed certificate after SIGHUP, without a restart', { timeout: 30_000 }, async () => {
    const renewedCa = await readFile(renewed.caFile, 'utf8')
    const health = (pem: string) => httpsRequest(`${controller.baseUrl}/healthz`, { ca: pem })
    expect((await health(caPem)).status).toBe(200)
    await expect(health(renewedCa)).rejects.toThrow()
    await copyFile(renewed.certFile, certFile)
    await copyFile(renewed.keyFile, keyFile)
    process.kill(controller.pid, 'SIGHUP')
    await waitFor(
      'the renewed certificate to be served',
      async () => (await health(renewedCa)).status === 200,
    )
    await expect(health(caPem)).rejects.toThrow()
    expect(controller.output()).toMatch(/SIGHUP, serving the certificate in .*served-cert\.pem again/)
  })

  it('keeps serving the certificate it has when SIGHUP finds a broken one', { timeout: 30_000 }, async () => {
    const served = await readFile(renewed.caFile, 'utf8')
    await copyFile(ca.keyFile, keyFile)
    process.kill(controller.pid, 'SIGHUP')
    await waitFor('the controller to refuse the new pair', () =>
      /SIGHUP, keeping the certificate served/.test(controller.output()),
    )
    expect((await httpsRequest(`${controller.baseUrl}/healthz`, { ca: served })).status).toBe(200)
  })
})
