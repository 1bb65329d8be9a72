/**
 * Free hours on a namespace router with real packets and an agent whose clock the test moves: a
 * subscriber past its cap gets through inside the window, the bytes are counted and reported but
 * not drawn, and the reading at the window's end brings the kernel quota back with exactly what
 * was left when the window began.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agentToken, PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent/src/agent.js'
import { loadAgentConfig } from '../../agent/src/config.js'
import type { RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import { createNftablesDriver } from '../../agent/src/drivers/nftables/nftables-driver.js'
import { fakeController, type Received } from '../../agent/src/testing-fake-controller.js'
import { createNetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'
import { waitFor } from './support/wait-for.js'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('free hours namespace test', unavailable)
const title = needs.title(`free hours on a namespace router`)

const MB = 1_000_000
const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Bytes past the allowance the kernel quota may let through: at most one (GRO) packet. */
const MAX_OVERSHOOT = 64 * 1024

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

describe.skipIf(needs.skip)(title, () => {
  it('lets an over-cap subscriber through inside the window, and the quota bites at the end at exactly what is left', async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    const net = await createNetnsRouter({ customers: 2 })
    cleanup.push(() => net.destroy())
    const [a, b] = [net.customer(0), net.customer(1)]

    // The agent's clock: real time plus an offset the test moves forward.
    let offsetMs = 0
    const now = () => Date.now() + offsetMs
    const startMs = now() + 2 * HOUR
    const endMs = startMs + HOUR
    const limit = (subscriberId: string, address: string, usedBytes: number): SubscriberLimit => ({
      subscriberId,
      address,
      periodStart: new Date(startMs - 10 * DAY).toISOString(),
      periodEnd: new Date(startMs + 20 * DAY).toISOString(),
      limitBytes: 20 * MB,
      usedBytes,
      limitVersion: 1,
      onCap: 'block',
      freeWindows: [{ start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() }],
    })
    // A has 6 MB left; B is past its cap.
    const limits = [limit('sub_a', a.ipv4, 14 * MB), limit('sub_b', b.ipv4, 21 * MB)]
    const controller = await fakeController((socket) =>
      socket.send(
        JSON.stringify({ v: PROTOCOL_VERSION, type: 'sync', serverTimeMs: now(), subscribers: limits }),
      ),
    )
    cleanup.push(() => controller.close())
    const stateDir = await mkdtemp(join(tmpdir(), 'capd-free-hours-netns-'))
    cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
    const config = await loadAgentConfig({
      controller: controller.url,
      token: agentToken('agt_free_ns', 'free-hours-netns-secret-0123456789'),
      stateDir,
      pollIntervalMs: 1000,
      fastPollIntervalMs: 1000,
      linkSpeedMbps: 100_000,
      router: { kind: 'nftables' },
    })
    const nft = createNftablesDriver({ netns: net.routerNs, timeoutMs: 10_000 })
    const applied: Array<{ atMs: number; rules: SubscriberRule[] }> = []
    const driver: RouterDriver = {
      ...nft,
      apply: (rules, reading, creating) => {
        applied.push({ atMs: reading.atMs, rules: rules.map((r) => ({ ...r })) })
        return nft.apply(rules, reading, creating)
      },
    }
    const agent = await Agent.start(config, driver, { now })
    cleanup.push(() => agent.stop())
    const book = (id: string) => agent.snapshot().books[id]
    const ruleAt = (atMs: number, id: string) =>
      applied.find((x) => x.atMs === atMs)?.rules.find((r) => r.subscriberId === id)

    // Before the window: B is blocked.
    await waitFor('B blocked before the window', () => book('sub_b')?.applied === 'blocked')
    expect((await net.download(b, { bytes: MB, timeoutMs: 1000 })).receivedBytes).toBe(0)

    // Just before the start: the agent reads its counters exactly at it and opens B.
    offsetMs += startMs - now() - 2500
    await waitFor('a reading at the window start', () => ruleAt(startMs, 'sub_b') !== undefined)
    expect(ruleAt(startMs, 'sub_b')).toMatchObject({ state: 'open' })
    expect(ruleAt(startMs, 'sub_a')?.remainingBytes, 'no quota inside the window').toBeUndefined()
    await waitFor('B open', () => book('sub_b')?.applied === 'open')
    const usedAtStart = book('sub_a')!.usedBytes
    const left = 20 * MB - usedAtStart

    // Inside: A goes far past what it has left, B past its cap; all of it arrives and is counted.
    const inside = {
      a: await net.download(a, { bytes: 2 * left, timeoutMs: 10_000 }),
      b: await net.download(b, { bytes: 3 * MB, timeoutMs: 10_000 }),
    }
    expect(inside.a.receivedBytes).toBe(2 * left)
    expect(inside.b.receivedBytes).toBe(3 * MB)
    await agent.pollNow()
    expect(book('sub_a')!.usedBytes, 'nothing drawn inside the window').toBe(usedAtStart)
    const reportedInside = (id: string) =>
      controller.received
        .filter((m: Received) => m.type === 'usage')
        .flatMap((m: Received) => m.entries as Array<{ subscriberId: string; atMs: number; down: number }>)
        .filter((e) => e.subscriberId === id && e.atMs > startMs && e.atMs <= endMs)
        .reduce((sum, e) => sum + e.down, 0)
    await waitFor('the window usage reported', () => reportedInside('sub_a') >= 2 * left)
    expect(reportedInside('sub_b')).toBeGreaterThanOrEqual(3 * MB)

    // Just before the end: the reading at the end brings back the quota with what was left.
    offsetMs += endMs - now() - 2500
    await waitFor('a reading at the window end', () => ruleAt(endMs, 'sub_a') !== undefined)
    expect(ruleAt(endMs, 'sub_a')).toMatchObject({ state: 'open', remainingBytes: BigInt(left) })
    expect(ruleAt(endMs, 'sub_b')).toMatchObject({ state: 'blocked' })
    const usedAtEnd = book('sub_a')!.usedBytes
    expect(usedAtEnd).toBe(usedAtStart)

    // After: A's download stops at what was left, within one packet; B gets nothing.
    const after = await net.download(a, { bytes: 3 * left, timeoutMs: 3000 })
    await agent.pollNow()
    const counted = book('sub_a')!.usedBytes - usedAtEnd
    console.info(
      `free hours: left at the start ${left}, delivered after the end ${after.receivedBytes}, kernel counted ${counted}`,
    )
    expect(after.receivedBytes).toBeLessThanOrEqual(left)
    expect(counted, 'counted within the allowance').toBeLessThanOrEqual(left)
    expect(counted, 'the quota let through what was left').toBeGreaterThan(left - MAX_OVERSHOOT)
    expect((await net.download(b, { bytes: MB, timeoutMs: 1000 })).receivedBytes).toBe(0)
  }, 120_000)
})
