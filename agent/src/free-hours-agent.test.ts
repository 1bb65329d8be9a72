/**
 * The agent at free-window boundaries, on the simulated router with the agent's clock injected:
 * it polls exactly at each window's start and end, opens a blocked subscriber and drops the quota
 * inside, counts (reports) the bytes used there without drawing them, and enforces again at the end
 * with what was left when the window began.
 */
import { PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver, SubscriberRule } from './drivers/driver.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { startTestAgent } from './testing-agent.js'
import type { Received } from './testing-fake-controller.js'

const DAY = 86_400_000
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('the agent at free-window boundaries', () => {
  it('reads exactly at start and end, opens inside, and takes the quota back with what was left', async () => {
    // The agent's clock runs with real time from a fixed date, so its timers really fire; the
    // test moves it forward to just before the window once the agent holds its limits.
    const baseMs = Date.parse('2026-03-10T22:00:00.000Z')
    const realStart = Date.now()
    let offsetMs = 0
    const now = () => baseMs + (Date.now() - realStart) + offsetMs
    const startMs = baseMs + 3_600_000
    const endMs = startMs + 1000
    const window = { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() }
    const limit = (subscriberId: string, i: number, usedBytes: number): SubscriberLimit => ({
      subscriberId,
      address: `10.0.0.${i + 1}`,
      periodStart: new Date(baseMs - 10 * DAY).toISOString(),
      periodEnd: new Date(baseMs + 20 * DAY).toISOString(),
      limitBytes: 50_000_000,
      usedBytes,
      limitVersion: 1,
      onCap: 'block',
      freeWindows: [window],
    })
    const limits = [limit('sub_open', 0, 0), limit('sub_over', 1, 50_000_000)]
    const applied: Array<{ atMs: number; rules: SubscriberRule[] }> = []
    // The router moves bytes in real time; only the agent's clock jumps.
    const simulated = createSimulatedDriver({ bytesPerSecond: 1_000_000 })
    const driver: RouterDriver = {
      ...simulated,
      apply: (rules, reading: CounterReading, creating) => {
        applied.push({ atMs: reading.atMs, rules: rules.map((r) => ({ ...r })) })
        return simulated.apply(rules, reading, creating)
      },
    }
    const { controller, agent } = await startTestAgent({
      name: 'free',
      onHello: (socket) =>
        socket.send(
          JSON.stringify({ v: PROTOCOL_VERSION, type: 'sync', serverTimeMs: now(), subscribers: limits }),
        ),
      driver,
      config: { pollIntervalMs: 1000, fastPollIntervalMs: 1000 },
      deps: { now },
      cleanup,
    })
    await controller.next('state')
    // Further ahead than one poll interval, so the pending poll comes before the window does.
    offsetMs += startMs - now() - 2500
    await until('the window to end and a poll after it', () => applied.some((a) => a.atMs >= endMs))
    const rulesAt = (atMs: number) => applied.find((a) => a.atMs === atMs)?.rules
    const ruleOf = (rules: SubscriberRule[] | undefined, id: string) =>
      rules?.find((r) => r.subscriberId === id)
    const atStart = rulesAt(startMs)
    const atEnd = rulesAt(endMs)
    expect(atStart, `a reading at the window's start (${applied.map((a) => a.atMs - baseMs)})`).toBeDefined()
    expect(atEnd, "a reading at the window's end").toBeDefined()
    for (const id of ['sub_open', 'sub_over']) {
      expect(ruleOf(atStart, id)).toMatchObject({ state: 'open' })
      expect(ruleOf(atStart, id)?.remainingBytes, `${id}: no quota inside`).toBeUndefined()
    }
    expect(ruleOf(atEnd, 'sub_over')).toMatchObject({ state: 'blocked', remainingBytes: 0n })

    // What sub_open had left at the start is what it has at the end, though it used bytes inside.
    const usageEntries = () =>
      controller.received
        .filter((m: Received) => m.type === 'usage')
        .flatMap((m: Received) => m.entries as Array<{ subscriberId: string; atMs: number }>)
    await until('the reading at the end to be reported', () =>
      usageEntries().some((e) => e.subscriberId === 'sub_open' && e.atMs === endMs),
    )
    const entries = controller.received
      .filter((m: Received) => m.type === 'usage')
      .flatMap(
        (m: Received) => m.entries as Array<{ subscriberId: string; atMs: number; down: number; up: number }>,
      )
    const before = entries.filter((e) => e.subscriberId === 'sub_open' && e.atMs <= startMs)
    const inside = entries.filter((e) => e.subscriberId === 'sub_open' && e.atMs > startMs && e.atMs <= endMs)
    const drawnBefore = before.reduce((sum, e) => sum + e.down + e.up, 0)
    const freeBytes = inside.reduce((sum, e) => sum + e.down + e.up, 0)
    expect(freeBytes, 'bytes counted and reported inside the window').toBeGreaterThan(0)
    expect(ruleOf(atEnd, 'sub_open')).toMatchObject({
      state: 'open',
      remainingBytes: BigInt(50_000_000 - drawnBefore),
    })
    expect(agent.snapshot().books.sub_open?.usedBytes).toBe(drawnBefore)
  })
})

describe('new limits and the pending poll', () => {
  it('a pushed limit with a window sooner than the next poll sets the poll for its start', async () => {
    const limit = (version: number, startMs?: number): SubscriberLimit => ({
      subscriberId: 'sub_a',
      address: '10.0.0.1',
      periodStart: new Date(Date.now() - 10 * DAY).toISOString(),
      periodEnd: new Date(Date.now() + 20 * DAY).toISOString(),
      limitBytes: 1e12,
      usedBytes: 0,
      limitVersion: version,
      onCap: 'block',
      ...(startMs === undefined
        ? {}
        : {
            freeWindows: [
              { start: new Date(startMs).toISOString(), end: new Date(startMs + DAY).toISOString() },
            ],
          }),
    })
    const simulated = createSimulatedDriver({ bytesPerSecond: 1_000_000 })
    const readAt: number[] = []
    const driver: RouterDriver = {
      ...simulated,
      apply: (rules, reading, creating) => {
        readAt.push(reading.atMs)
        return simulated.apply(rules, reading, creating)
      },
    }
    // No regular poll during the test (both intervals 60 s): only the window's start can bring one.
    const { controller, agent } = await startTestAgent({
      name: 'free',
      onHello: (socket) =>
        socket.send(
          JSON.stringify({
            v: PROTOCOL_VERSION,
            type: 'sync',
            serverTimeMs: Date.now(),
            subscribers: [limit(1)],
          }),
        ),
      driver,
      cleanup,
    })
    await controller.next('state')
    await agent.pollNow()
    const startMs = Date.now() + 800
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(2, startMs)] })
    await until('a reading at the window start', () => readAt.includes(startMs))
    expect(agent.snapshot().books.sub_a?.applied).toBe('open')
  })
})
