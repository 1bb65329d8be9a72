/**
 * RADIUS accounting end to end: the real controller and the real agent (`router.kind: radius`,
 * count only) as processes, FreeRADIUS's radclient as the NAS. The controller's books show every
 * byte the sessions reported, Gigawords included, and still do after the agent is killed mid-way
 * and started again (nothing lost, nothing twice).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { radclient, radclientUnavailableReason } from '../../agent/src/drivers/radius/testing-radclient.js'
import { type AgentProcess, killAllAgents, startAgent, writeAgentConfig } from './support/agent-process.js'
import { type Answer, apiClient } from './support/api-client.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import { freeUdpPort } from './support/free-udp-port.js'
import { prerequisite } from './support/prerequisite.js'
import { ledgerHasCounter } from './support/radius-ledger.js'
import { waitFor } from './support/wait-for.js'

const unavailable = await radclientUnavailableReason()
const needs = prerequisite('RADIUS end-to-end test', unavailable)
const title = needs.title(`RADIUS accounting, controller and agent processes`)

const TOKEN = 'e2e-radius-admin-token-0123456789abcdef'
const SECRET = 'e2e-radius-secret'
const GIB4 = 2n ** 32n

function packet(
  status: string,
  session: string,
  user: string,
  totals?: { down: bigint; up: bigint },
): string {
  const lines = [
    `Acct-Status-Type = ${status}`,
    `Acct-Session-Id = "${session}"`,
    `User-Name = "${user}"`,
    'NAS-IP-Address = 192.0.2.1',
    'Framed-IP-Address = 100.64.0.7',
  ]
  if (totals) {
    lines.push(
      `Acct-Output-Octets = ${totals.down % GIB4}`,
      `Acct-Output-Gigawords = ${totals.down / GIB4}`,
      `Acct-Input-Octets = ${totals.up % GIB4}`,
      `Acct-Input-Gigawords = ${totals.up / GIB4}`,
      'Acct-Session-Time = 120',
    )
  }
  return `${lines.join('\n')}\n`
}

describe.skipIf(needs.skip)(title, () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => {})
    await killAllAgents()
    await killAllControllers()
  })

  it('books in the controller what radclient reported, across an agent killed and restarted', {
    timeout: 120_000,
  }, async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but ${unavailable}`)
    const dir = await mkdtemp(join(tmpdir(), 'capd-e2e-radius-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
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
    const enrolled = await must(call('POST', '/agents', { name: 'radius-nas' }), 201)
    const plan = await must(call('POST', '/plans', { name: 'big', capBytes: 10 ** 12, onCap: 'block' }), 201)
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
      },
    })
    let agent: AgentProcess = await startAgent(configPath)
    cleanups.push(() => agent.kill())
    const logs = () => `${controller.output()}\n--- agent\n${agent.output()}`
    // The agent creates alice's counter once the controller's sync reaches it.
    await waitFor('the agent keeps a RADIUS counter for alice', () => ledgerHasCounter(stateDir, alice.id))
    const send = async (text: string) => {
      const run = await radclient(port, SECRET, text, ['-r', '20', '-t', '0.5'])
      expect(run.code, `${run.output}\n${logs()}`).toBe(0)
    }
    const booked = async () =>
      (await must(call('GET', `/subscribers/${alice.id}`), 200)).usage.usedBytes as number

    const first = { down: 5n * GIB4 + 123n, up: GIB4 + 77n }
    await send(packet('Start', 'e1', 'alice'))
    await send(packet('Interim-Update', 'e1', 'alice', { down: GIB4, up: 1000n }))
    await send(packet('Interim-Update', 'e1', 'alice', first))
    let want = Number(first.down + first.up)
    await waitFor(`the controller books ${want} bytes`, async () => (await booked()) === want)

    // Killed outright; the NAS keeps reporting (radclient retransmits until the new agent answers).
    await agent.kill()
    const restarted = startAgent(configPath)
    const stop = { down: 6n * GIB4 + 5n, up: GIB4 + 99n }
    await send(packet('Stop', 'e1', 'alice', stop))
    agent = await restarted
    await send(packet('Start', 'e2', 'alice'))
    await send(packet('Stop', 'e2', 'alice', { down: 4321n, up: 12n }))
    want = Number(stop.down + stop.up + 4321n + 12n)
    await waitFor(`the controller books ${want} bytes`, async () => (await booked()) === want, {
      timeoutMs: 20_000,
    })
    // And stays there: no late double count.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await booked(), logs()).toBe(want)
  })
})
