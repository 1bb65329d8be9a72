/**
 * Login admission end to end: a real FreeRADIUS (Debian's, with rlm_rest) configured with the
 * documented snippets from docs/freeradius, asking the real controller process at each
 * Access-Request that radclient sends. Capped subscribers get the configured answer (reject pool,
 * throttle rate, Access-Reject), a top-up lets them back, an unknown user is left to FreeRADIUS,
 * and a wrong token falls back as the snippet says while the controller logs it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type Answer, apiClient } from './support/api-client.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import { freeUdpPort } from './support/free-udp-port.js'
import { freeradiusUnavailableReason, radclientAuth, startFreeradius } from './support/freeradius.js'
import { prerequisite } from './support/prerequisite.js'
import { waitFor } from './support/wait-for.js'

const unavailable = await freeradiusUnavailableReason()
const needs = prerequisite('RADIUS admission test', unavailable)
const title = needs.title(`RADIUS login admission, FreeRADIUS and the controller`)

const ADMIN = 'e2e-rlm-rest-admin-token-0123456789abcdef'
const RADIUS_TOKEN = 'e2e-rlm-rest-admission-token-0123456789'
const SECRET = 'e2e-rlm-rest-secret'

describe.skipIf(needs.skip)(title, () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => {})
    await killAllControllers()
  })

  it('answers each login as configured, follows top-ups, and falls back on a wrong token', {
    timeout: 120_000,
  }, async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but ${unavailable}`)
    const dir = await mkdtemp(join(tmpdir(), 'capd-e2e-rlm-rest-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const tokenFile = join(dir, 'radius-token')
    await writeFile(tokenFile, `${RADIUS_TOKEN}\n`, { mode: 0o600 })
    const settings = join(dir, 'radius-admission.json')
    await writeFile(settings, JSON.stringify({ token: `file://${tokenFile}`, suspended: 'reject' }))
    const controller: ControllerProcess = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: ADMIN, CAPD_LOG_LEVEL: 'debug' },
      args: ['--radius-admission', settings],
    })
    cleanups.push(() => controller.kill())
    const call = apiClient(controller.baseUrl, ADMIN)
    const must = async (answer: Promise<Answer>, status: number) => {
      const { status: got, body } = await answer
      if (got !== status) throw new Error(`expected HTTP ${status}, got ${got}: ${JSON.stringify(body)}`)
      return body
    }
    const agent = await must(call('POST', '/agents', { name: 'bras-1' }), 201)
    const plans = {
      normal: await must(
        call('POST', '/plans', {
          name: 'normal',
          capBytes: 10 ** 11,
          onCap: 'block',
          rateDownKbps: 10000,
          rateUpKbps: 2000,
        }),
        201,
      ),
      // Caps of 0 bytes: capped from the first login, until a top-up.
      block: await must(
        call('POST', '/plans', { name: 'block', capBytes: 0, onCap: 'block', allowTiny: true }),
        201,
      ),
      throttle: await must(
        call('POST', '/plans', {
          name: 'slow',
          capBytes: 0,
          onCap: 'throttle',
          throttleKbps: 512,
          allowTiny: true,
        }),
        201,
      ),
    }
    const subscriber = async (login: string, plan: { id: string }, n: number) =>
      must(
        call('POST', '/subscribers', {
          name: login,
          login,
          planId: plan.id,
          agentId: agent.id,
          address: `10.1.0.${n}`,
        }),
        201,
      )
    await subscriber('alice', plans.normal, 1)
    const carol = await subscriber('carol', plans.block, 2)
    await subscriber('dave', plans.throttle, 3)
    const erin = await subscriber('erin', plans.normal, 4)
    await must(call('POST', `/subscribers/${erin.id}/suspend`, { reason: 'unpaid' }), 200)

    const users = ['alice', 'carol', 'dave', 'erin', 'zed'].map((name) => ({ name, password: `pw-${name}` }))
    const port = await freeUdpPort()
    const radius = await startFreeradius({
      dir: join(dir, 'raddb'),
      port,
      secret: SECRET,
      capdUrl: controller.baseUrl,
      capdToken: RADIUS_TOKEN,
      users,
    })
    cleanups.push(() => radius.stop())
    const logs = () => `${controller.output()}\n--- freeradius\n${radius.output()}`
    const login = async (name: string, password = `pw-${name}`, to = port) =>
      radclientAuth(to, SECRET, [
        `User-Name = "${name}"`,
        `User-Password = "${password}"`,
        'NAS-IP-Address = 192.0.2.1',
      ])
    const expectAnswer = async (name: string, code: string, attributes: Record<string, string>) => {
      const answer = await login(name)
      expect(answer.code, `${name}\n${answer.output}\n${logs()}`).toBe(code)
      expect(answer.attributes, name).toEqual(attributes)
    }

    await expectAnswer('alice', 'Access-Accept', { 'Mikrotik-Rate-Limit': '2000k/10000k' })
    await expectAnswer('carol', 'Access-Accept', { 'Framed-Pool': 'capd-blocked' })
    await expectAnswer('dave', 'Access-Accept', { 'Mikrotik-Rate-Limit': '512k/512k' })
    await expectAnswer('erin', 'Access-Reject', { 'Reply-Message': 'capd: account suspended' })
    // Unknown to capd (404, notfound): FreeRADIUS decides, here by its users file.
    await expectAnswer('zed', 'Access-Accept', {})
    // capd does not replace the password check.
    expect((await login('alice', 'wrong')).code).toBe('Access-Reject')
    // A re-login after the top-up is let through: its plan has no rate, so no attributes.
    await must(
      call(
        'POST',
        `/subscribers/${carol.id}/topups`,
        { bytes: 10 ** 9, price: { amount: 100, currency: 'USD' } },
        {
          'Idempotency-Key': 'carol-topup-1',
        },
      ),
      201,
    )
    await expectAnswer('carol', 'Access-Accept', {})
    await must(call('POST', `/subscribers/${erin.id}/resume`, {}), 200)
    await expectAnswer('erin', 'Access-Accept', { 'Mikrotik-Rate-Limit': '2000k/10000k' })

    // A FreeRADIUS with a wrong token: capd answers 403, the snippet lets the login go on
    // without capd's attributes (dave is not throttled there), and capd logs it.
    const wrongPort = await freeUdpPort()
    const wrong = await startFreeradius({
      dir: join(dir, 'raddb-wrong'),
      port: wrongPort,
      secret: SECRET,
      capdUrl: controller.baseUrl,
      capdToken: 'not-the-admission-token-0123456789',
      users,
    })
    cleanups.push(() => wrong.stop())
    const fellBack = await login('dave', 'pw-dave', wrongPort)
    expect(fellBack.code, `${fellBack.output}\n${wrong.output()}`).toBe('Access-Accept')
    expect(fellBack.attributes).toEqual({})
    await waitFor('the controller logs the wrong token', async () =>
      controller.output().includes('rlm_rest sent a missing or wrong token'),
    )
    expect(controller.output()).not.toContain('not-the-admission-token')

    // capd down: the same fallback (fail).
    await controller.kill()
    const down = await login('dave')
    expect(down.code, `${down.output}\n${radius.output()}`).toBe('Access-Accept')
    expect(down.attributes).toEqual({})
  })
})

describe('docs/radius-admission.md', () => {
  it('shows the very snippets the test above runs', async () => {
    const doc = await readFile(new URL('../../docs/radius-admission.md', import.meta.url), 'utf8')
    for (const name of ['capd-rest', 'capd-authorize']) {
      const snippet = await readFile(new URL(`../../docs/freeradius/${name}`, import.meta.url), 'utf8')
      expect(doc, name).toContain(snippet)
    }
  })
})
