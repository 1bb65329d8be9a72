/**
 * FreeRADIUS's radclient as the NAS, a real agent counting from it: Start, Interims past 4 GiB,
 * retransmissions of the very same packet, repeated and late reports, Stop, sessions side by side
 * and one after another. What the agent reports equals the totals sent, byte for byte; radclient
 * checks every Accounting-Response authenticator itself; a wrong secret gets no answer at all.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '@capd/log'
import { agentToken, PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent.js'
import { loadAgentConfig } from '../../config.js'
import { type FakeController, fakeController, type Received } from '../../testing-fake-controller.js'
import { createRadiusAccounting, type RadiusAccounting } from './accounting-server.js'
import { createRadiusDriver } from './radius-driver.js'
import { lossyRelay, radclient, radclientUnavailableReason } from './testing-radclient.js'

const unavailable = await radclientUnavailableReason()
const mustRun = process.env.CI === 'true'
if (unavailable && !mustRun) console.warn(`radclient tests skipped: ${unavailable}`)
const title = `RADIUS accounting from radclient${unavailable && !mustRun ? ` (skipped: ${unavailable})` : ''}`

const SECRET = 'radclient-test-secret'
const GIB4 = 2n ** 32n
const DAY = 86_400_000

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

const limit = (login: string, i: number): SubscriberLimit => ({
  subscriberId: `sub_${login}`,
  login,
  address: `10.0.0.${i + 2}`,
  periodStart: new Date(Date.now() - 10 * DAY).toISOString(),
  periodEnd: new Date(Date.now() + 20 * DAY).toISOString(),
  limitBytes: 1e15,
  usedBytes: 0,
  limitVersion: 1,
  onCap: 'block',
})

/** Attribute lines for radclient; totals split into Octets and Gigawords as a NAS sends them. */
function packet(
  status: 'Start' | 'Interim-Update' | 'Stop',
  session: string,
  user: string,
  totals?: { down: bigint; up: bigint },
  nas = 'NAS-IP-Address = 192.0.2.1',
): string {
  const lines = [
    `Acct-Status-Type = ${status}`,
    `Acct-Session-Id = "${session}"`,
    `User-Name = "${user}"`,
    nas,
    'Framed-IP-Address = 100.64.0.7',
  ]
  if (totals) {
    lines.push(
      `Acct-Output-Octets = ${totals.down % GIB4}`,
      `Acct-Output-Gigawords = ${totals.down / GIB4}`,
      `Acct-Input-Octets = ${totals.up % GIB4}`,
      `Acct-Input-Gigawords = ${totals.up / GIB4}`,
      'Acct-Session-Time = 60',
    )
  }
  return `${lines.join('\n')}\n`
}

interface Setup {
  agent: Agent
  source: RadiusAccounting
  controller: FakeController
  warned: (text: string) => number
}

async function setup(): Promise<Setup> {
  const limits = ['alice', 'bob'].map(limit)
  const controller = await fakeController((socket) =>
    socket.send(
      JSON.stringify({ v: PROTOCOL_VERSION, type: 'sync', serverTimeMs: Date.now(), subscribers: limits }),
    ),
  )
  cleanup.push(() => controller.close())
  const stateDir = await mkdtemp(join(tmpdir(), 'capd-radclient-'))
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
  const clients = [{ address: '127.0.0.1', secret: SECRET, name: 'test-nas' }]
  const config = await loadAgentConfig({
    controller: controller.url,
    token: agentToken('agt_radclient', 'radclient-secret-0123456789'),
    stateDir,
    pollIntervalMs: 60_000,
    fastPollIntervalMs: 60_000,
    router: { kind: 'radius', listen: { address: '127.0.0.1', port: 0 }, clients },
  })
  const { logger, records } = memoryLogger()
  const source = createRadiusAccounting({ host: '127.0.0.1', port: 0, clients, stateDir, log: logger })
  const agent = await Agent.start(config, createRadiusDriver(source), { logger })
  cleanup.push(() => agent.stop())
  await expect.poll(async () => (await source.readCounters()).samples.length, { timeout: 5000 }).toBe(2)
  const warned = (text: string) =>
    records().filter((r) => r.level === 40 && String(r.msg).includes(text)).length
  return { agent, source, controller, warned }
}

/** What the agent reported, per subscriber and direction (each journal seq once). */
function reported(controller: FakeController): Record<string, { down: bigint; up: bigint }> {
  const entries = new Map<string, Received>()
  for (const message of controller.received.filter((m) => m.type === 'usage')) {
    for (const entry of message.entries) entries.set(`${message.epoch}:${entry.seq}`, entry)
  }
  const sums: Record<string, { down: bigint; up: bigint }> = {}
  for (const e of entries.values()) {
    const sum = sums[e.subscriberId] ?? { down: 0n, up: 0n }
    sums[e.subscriberId] = { down: sum.down + BigInt(e.down), up: sum.up + BigInt(e.up) }
  }
  return sums
}

describe.skipIf(unavailable !== undefined && !mustRun)(title, () => {
  it('books Start, Interims past 4 GiB, retransmissions, late reports and Stop exactly', {
    timeout: 60_000,
  }, async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but ${unavailable}`)
    const { agent, source, controller } = await setup()
    const port = source.port
    const send = async (text: string, args: string[] = [], to = port) => {
      const run = await radclient(to, SECRET, text, args)
      // radclient exits 0 only when every request got an answer whose authenticator it verified.
      expect(run.code, run.output).toBe(0)
      expect(run.output).toContain('Received Accounting-Response')
      return run
    }

    const a1 = { down: GIB4 + 1000n, up: 500n }
    const a2 = { down: 2n * GIB4 + 2000n, up: GIB4 + 10n }
    const aStop = { down: 3n * GIB4 + 7n, up: GIB4 + 999n }
    await send(packet('Start', 's1', 'alice'))
    await send(packet('Start', 's2', 'bob'))
    await send(packet('Interim-Update', 's1', 'alice', a1))
    await send(packet('Interim-Update', 's2', 'bob', { down: 4_000_000n, up: 300_000n }))
    expect(source.sessionAddresses().get('sub_alice')).toEqual(['100.64.0.7'])
    await agent.pollNow()

    // The same Interim retransmitted byte for byte (the relay loses the first answer), then sent again.
    const relay = await lossyRelay(port)
    cleanup.push(() => relay.close())
    const retransmitted = await send(
      packet('Interim-Update', 's1', 'alice', a2),
      ['-r', '4', '-t', '0.3'],
      relay.port,
    )
    expect(relay.relayed, retransmitted.output).toBeGreaterThanOrEqual(2)
    await send(packet('Interim-Update', 's1', 'alice', a2))
    await agent.pollNow()
    // An older Interim arriving late, then the Stop (twice) with no poll between it and the Interim.
    await send(packet('Interim-Update', 's1', 'alice', a1))
    await send(packet('Stop', 's1', 'alice', aStop))
    await send(packet('Stop', 's1', 'alice', aStop))
    // Alice logs in again (a new session), and has one at a second NAS reusing the session id.
    const nas2 = 'NAS-Identifier = "bras-2"'
    await send(packet('Start', 's3', 'alice'))
    await send(packet('Start', 's1', 'alice', undefined, nas2))
    await agent.pollNow()
    await send(packet('Stop', 's3', 'alice', { down: 123_456n, up: 654n }))
    await send(packet('Stop', 's1', 'alice', { down: GIB4 + 1n, up: 1n }, nas2))
    await send(packet('Stop', 's2', 'bob', { down: 5_000_000n, up: 400_000n }))
    await agent.pollNow()
    expect(source.sessionAddresses().get('sub_alice')).toBeUndefined()

    const expected = {
      sub_alice: { down: aStop.down + 123_456n + GIB4 + 1n, up: aStop.up + 654n + 1n },
      sub_bob: { down: 5_000_000n, up: 400_000n },
    }
    await expect.poll(() => reported(controller), { timeout: 5000 }).toEqual(expected)
    const books = agent.snapshot().books
    expect(books.sub_alice!.usedBytes).toBe(Number(expected.sub_alice.down + expected.sub_alice.up))
  })

  it('ignores and logs a request signed with the wrong secret: no answer, nothing counted', {
    timeout: 30_000,
  }, async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but ${unavailable}`)
    const { agent, source, controller, warned } = await setup()
    const ok = await radclient(source.port, SECRET, packet('Start', 's9', 'alice'))
    expect(ok.code, ok.output).toBe(0)
    const wrong = await radclient(
      source.port,
      'not-the-secret',
      packet('Interim-Update', 's9', 'alice', { down: 10n * GIB4, up: 1n }),
      ['-r', '2', '-t', '0.3'],
    )
    expect(wrong.code, wrong.output).not.toBe(0)
    expect(wrong.output).toContain('No reply')
    expect(wrong.output).not.toContain('Received Accounting-Response')
    expect(warned('bad authenticator')).toBe(1)
    await agent.pollNow()
    const samples = (await source.readCounters()).samples
    expect(samples.map((s) => [s.subscriberId, s.down, s.up])).toEqual([
      ['sub_alice', 0n, 0n],
      ['sub_bob', 0n, 0n],
    ])
    expect(reported(controller)).toEqual({})
  })
})
