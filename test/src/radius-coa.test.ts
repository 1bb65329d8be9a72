/**
 * RADIUS CoA end to end: the real controller and agent (`router.kind: radius`, `enforcer: coa`)
 * as processes, radclient as the NAS's accounting and the RFC 5176 test peer as its CoA side. A
 * session that crosses the cap gets the throttling CoA; a top-up through the controller's API
 * gets the restoring one; a re-login while capped gets the throttling CoA again.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { coaPeer } from '../../agent/src/drivers/radius/testing-coa-peer.js'
import { radclient, radclientUnavailableReason } from '../../agent/src/drivers/radius/testing-radclient.js'
import { type AgentProcess, killAllAgents, startAgent, writeAgentConfig } from './support/agent-process.js'
import { type Answer, apiClient } from './support/api-client.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import { freeUdpPort } from './support/free-udp-port.js'
import { prerequisite } from './support/prerequisite.js'
import { ledgerHasCounter } from './support/radius-ledger.js'
import { waitFor } from './support/wait-for.js'

const unavailable = await radclientUnavailableReason()
const needs = prerequisite('RADIUS CoA end-to-end test', unavailable)
const title = needs.title(`RADIUS CoA, controller and agent processes`)

const TOKEN = 'e2e-coa-admin-token-0123456789abcdef'
const SECRET = 'e2e-coa-accounting-secret'
const COA_SECRET = 'e2e-coa-secret'
const MB = 1_000_000

function packet(status: string, session: string, down?: number): string {
  const lines = [
    `Acct-Status-Type = ${status}`,
    `Acct-Session-Id = "${session}"`,
    'User-Name = "alice"',
    'NAS-IP-Address = 127.0.0.1',
    'Framed-IP-Address = 100.64.0.7',
  ]
  if (down !== undefined)
    lines.push(`Acct-Output-Octets = ${down}`, 'Acct-Input-Octets = 1000', 'Acct-Session-Time = 60')
  return `${lines.join('\n')}\n`
}

describe.skipIf(needs.skip)(title, () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => {})
    await killAllAgents()
    await killAllControllers()
  })

  it('throttles by CoA at the cap, restores after a top-up, and throttles a re-login again', {
    timeout: 120_000,
  }, async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but ${unavailable}`)
    const dir = await mkdtemp(join(tmpdir(), 'capd-e2e-coa-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const peer = await coaPeer(COA_SECRET)
    cleanups.push(() => peer.close())
    const controller: ControllerProcess = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
    })
    cleanups.push(() => controller.kill())
    const call = apiClient(controller.baseUrl, TOKEN)
    const must = async (answer: Promise<Answer>, status: number) => {
      const { status: got, body } = await answer
      if (got !== status) throw new Error(`expected HTTP ${status}, got ${got}: ${JSON.stringify(body)}`)
      return body
    }
    const enrolled = await must(call('POST', '/agents', { name: 'coa-nas' }), 201)
    const plan = await must(
      call('POST', '/plans', { name: '10 MB', capBytes: 10 * MB, onCap: 'throttle', throttleKbps: 512 }),
      201,
    )
    const alice = await must(
      call('POST', '/subscribers', {
        name: 'Alice',
        login: 'alice',
        planId: plan.id,
        agentId: enrolled.id,
        address: '100.64.0.7',
      }),
      201,
    )
    const port = await freeUdpPort()
    const stateDir = join(dir, 'agent-state')
    const configPath = join(dir, 'agent.json')
    await writeAgentConfig(configPath, {
      controller: controller.baseUrl.replace(/^http/, 'ws'),
      token: enrolled.token,
      stateDir,
      pollIntervalMs: 200,
      router: {
        kind: 'radius',
        listen: { address: '127.0.0.1', port },
        clients: [{ address: '127.0.0.0/8', secret: SECRET, name: 'radclient' }],
        enforcer: {
          kind: 'coa',
          nas: [{ address: '127.0.0.1', port: peer.port, secret: COA_SECRET, name: 'test-nas' }],
          restored: { mode: 'coa', attributes: [{ name: 'Mikrotik-Rate-Limit', value: '20M/50M' }] },
          timeoutMs: 500,
          retryMinMs: 100,
          retryMaxMs: 1000,
        },
      },
    })
    const agent: AgentProcess = await startAgent(configPath)
    cleanups.push(() => agent.kill())
    const logs = () => `${controller.output()}\n--- agent\n${agent.output()}`
    await waitFor('the agent keeps a RADIUS counter for alice', () => ledgerHasCounter(stateDir, alice.id))
    const send = async (text: string) => {
      const run = await radclient(port, SECRET, text, ['-r', '20', '-t', '0.5'])
      expect(run.code, `${run.output}\n${logs()}`).toBe(0)
    }
    const rateOf = (session: string) => peer.view(session)?.['Mikrotik-Rate-Limit']

    await send(packet('Start', 'c1'))
    await send(packet('Interim-Update', 'c1', 4 * MB))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(peer.requests, logs()).toEqual([])
    await send(packet('Interim-Update', 'c1', 12 * MB))
    await waitFor('the throttling CoA reaches the NAS', async () => rateOf('c1') === '512k/512k')
    const capped = peer.requests.at(-1)!
    expect(capped).toMatchObject({ kind: 'coa', sessionId: 'c1', userName: 'alice', nasIp: '127.0.0.1' })
    expect(capped.framedIp).toBe('100.64.0.7')

    await must(
      call('POST', `/subscribers/${alice.id}/topups`, {
        bytes: 100 * MB,
        price: { amount: 500, currency: 'USD' },
        chargeTo: 'invoice',
      }),
      201,
    )
    await waitFor('the restoring CoA reaches the NAS', async () => rateOf('c1') === '20M/50M')

    // Used up again, then logs in anew: the new session is throttled too.
    await send(packet('Interim-Update', 'c1', 130 * MB))
    await waitFor('the throttling CoA comes again', async () => rateOf('c1') === '512k/512k')
    await send(packet('Stop', 'c1', 130 * MB))
    await send(packet('Start', 'c2'))
    await waitFor('the new session is throttled', async () => rateOf('c2') === '512k/512k')
    expect(peer.requests.map((r) => [r.sessionId, r.attributes['Mikrotik-Rate-Limit']])).toEqual([
      ['c1', '512k/512k'],
      ['c1', '20M/50M'],
      ['c1', '512k/512k'],
      ['c2', '512k/512k'],
    ])
  })
})
