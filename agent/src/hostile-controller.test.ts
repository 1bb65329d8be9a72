import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '@capd/log'
import { agentToken, PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from './agent.js'
import { loadAgentConfig } from './config.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { type FakeController, fakeController } from './testing-fake-controller.js'

const AGENT_ID = 'agt_hostile0000000000000'
const DAY = 86_400_000

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function limit(over: Partial<SubscriberLimit>): SubscriberLimit {
  const now = Date.now()
  return {
    subscriberId: 'sub_a',
    address: '10.0.0.5',
    periodStart: new Date(now - 10 * DAY).toISOString(),
    periodEnd: new Date(now + 20 * DAY).toISOString(),
    limitBytes: 5_000_000_000,
    usedBytes: 0,
    limitVersion: 1,
    onCap: 'block',
    ...over,
  }
}

async function startAgent(controller: FakeController) {
  const stateDir = await mkdtemp(join(tmpdir(), 'capd-agent-'))
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
  const config = await loadAgentConfig({
    controller: controller.url,
    token: agentToken(AGENT_ID, 'x'.repeat(43)),
    stateDir,
    pollIntervalMs: 60_000,
    router: { kind: 'simulated', bytesPerSecond: 1000 },
  })
  const { logger, lines: log, records } = memoryLogger()
  const agent = await Agent.start(config, createSimulatedDriver({ bytesPerSecond: 1000 }), { logger })
  cleanup.push(() => agent.stop())
  return { agent, log, records }
}

const sync = (subscribers: SubscriberLimit[]) => ({
  v: PROTOCOL_VERSION,
  type: 'sync',
  serverTimeMs: Date.now(),
  subscribers,
})

describe('an agent and a hostile or broken controller', () => {
  it.each([
    [
      'a 1 minute period',
      {
        periodStart: new Date(Date.now() - 600_000).toISOString(),
        periodEnd: new Date(Date.now() - 540_000).toISOString(),
      },
    ],
    [
      'a period dated 2020',
      { periodStart: '2020-01-01T00:00:00.000Z', periodEnd: '2020-01-02T00:00:00.000Z' },
    ],
    ['a period ending in 2030', { periodEnd: '2030-01-01T00:00:00.000Z' }],
  ])('refuses %s, logs why, and keeps enforcing the last good limits', async (_what, bad) => {
    const controller = await fakeController((socket) =>
      socket.send(JSON.stringify(sync([limit({ limitVersion: 1 })]))),
    )
    cleanup.push(() => controller.close())
    const { agent, log } = await startAgent(controller)
    await controller.next('state')
    const good = agent.snapshot().books.sub_a!

    controller.send({
      v: PROTOCOL_VERSION,
      type: 'limits',
      subscribers: [limit({ limitVersion: 2, ...bad })],
    })
    controller.send(sync([limit({ limitVersion: 3, ...bad })]))
    // A later good push shows both bad ones were handled (messages are taken in order).
    controller.send({
      v: PROTOCOL_VERSION,
      type: 'limits',
      subscribers: [{ ...good.limit, subscriberId: 'sub_a', limitVersion: 1 }],
    })
    await agent.pollNow()
    await waitUntil(() => log.filter((l) => /refus/i.test(l)).length >= 2)

    const book = agent.snapshot().books.sub_a!
    expect(book.limit.limitVersion).toBe(1)
    expect({ periodStart: book.periodStart, periodEnd: book.periodEnd }).toEqual({
      periodStart: good.periodStart,
      periodEnd: good.periodEnd,
    })
    expect(log.find((l) => /refus/i.test(l))).toMatch(/sub_a/)
    // The controller is told too (its log names the agent).
    // Sent once refused; it may still be on the wire when the log line is written.
    expect(await controller.next('error')).toMatchObject({ code: 'limits_refused' })
    expect(log.some((l) => /WARNING/.test(l))).toBe(false) // ws:// to loopback is fine
  })

  it("logs the controller's error text as a field of one JSON line, never as lines of its own", async () => {
    const controller = await fakeController((socket) => socket.send(JSON.stringify(sync([limit({})]))))
    cleanup.push(() => controller.close())
    const { log, records } = await startAgent(controller)
    await controller.next('state')
    const texts = [
      'disk\ncapd agent: connected to the controller',
      'x"}\r\n{"level":60,"msg":"forged',
      '\u2028\u001b[2J',
    ]
    for (const [i, text] of texts.entries()) {
      controller.send({ v: PROTOCOL_VERSION, type: 'error', code: `c\n${i}`, message: text })
    }
    await waitUntil(() => records().filter((r) => 'controllerMessage' in r).length >= texts.length)
    const said = records().filter((r) => 'controllerMessage' in r)
    expect(said.map((r) => [r.code, r.controllerMessage])).toEqual(texts.map((t, i) => [`c\n${i}`, t]))
    for (const r of said)
      expect(r).toMatchObject({ agentId: AGENT_ID, msg: 'the controller reports an error', level: 40 })
    // Each line is one JSON object; the text shows in no other field.
    for (const line of log) {
      const record = JSON.parse(line) as Record<string, unknown>
      for (const [key, value] of Object.entries(record)) {
        if (key !== 'controllerMessage') for (const text of texts) expect(String(value)).not.toContain(text)
      }
    }
  })

  it("logs the controller's close reason and a bad message as fields, never inside msg", async () => {
    const reason = 'bye\n{"level":60,"msg":"forged"}'
    const controller = await fakeController((socket) => {
      socket.send('{"v":1,"type":"sync","forged\\n":1}')
      setTimeout(() => socket.close(4000, reason), 50)
    })
    cleanup.push(() => controller.close())
    const { log, records } = await startAgent(controller)
    await waitUntil(() => records().some((r) => r.closeReason === reason))
    for (const line of log) expect(typeof JSON.parse(line)).toBe('object')
    for (const r of records()) expect(String(r.msg)).not.toMatch(/forged|bye/)
    expect(records().find((r) => r.closeReason === reason)).toMatchObject({
      agentId: AGENT_ID,
      closeCode: 4000,
    })
  })

  it('warns on start when it talks ws:// to a controller on another machine', async () => {
    const controller = await fakeController()
    cleanup.push(() => controller.close())
    const { log } = await startAgent({ ...controller, url: 'ws://192.0.2.1:9' })
    expect(log.find((l) => /WARNING/.test(l))).toMatch(/ws:\/\/.*wss:\/\//)
  })
})

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!check()) throw new Error('condition not reached within 3 s')
}
