import { PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import type { RouterDriver, SubscriberRule } from './drivers/driver.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { startTestAgent } from './testing-agent.js'

const DAY = 86_400_000
const START_MS = Date.parse('2026-03-10T12:00:00Z')

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function limit(i: number, over: Partial<SubscriberLimit> = {}): SubscriberLimit {
  return {
    subscriberId: `sub_${i}`,
    address: `10.0.0.${i + 1}`,
    periodStart: new Date(START_MS - 10 * DAY).toISOString(),
    periodEnd: new Date(START_MS + 20 * DAY).toISOString(),
    limitBytes: 1e12,
    usedBytes: 0,
    limitVersion: 1,
    onCap: 'block',
    ...over,
  }
}

const sync = (subscribers: SubscriberLimit[]) => ({
  v: PROTOCOL_VERSION,
  type: 'sync',
  serverTimeMs: START_MS,
  subscribers,
})

const waitUntil = async (what: string, ok: () => boolean) => {
  const deadline = Date.now() + 5000
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * The simulated router, with a reading that can be held up and every apply recorded. A whole apply
 * given `giveWay` plans in slices: while planning is held it waits, then asks giveWay once. With
 * `stopsReadings`, a held reading given a signal stops when it aborts (as the nftables driver's does).
 */
function gatedDriver(listedSpent?: string, stopsReadings = false) {
  const inner = createSimulatedDriver({ bytesPerSecond: 1000, now: () => START_MS })
  const applies: Array<{ rules: SubscriberRule[]; only: string[] | undefined; gaveWay?: true }> = []
  let gate: Promise<void> | undefined
  let open = () => {}
  let planning: Promise<void> | undefined
  let planned = () => {}
  let failWhole = false
  let pushGate: Promise<void> | undefined
  let openPushes = () => {}
  /** Each reading: whether it was given a signal to stop at, and whether it stopped. */
  const reads: Array<{ stoppable: boolean; stopped: boolean }> = []
  const driver: RouterDriver = {
    kind: 'simulated',
    start: () => inner.start(),
    close: () => inner.close(),
    async readCounters(signal) {
      const read = { stoppable: signal !== undefined && stopsReadings, stopped: false }
      reads.push(read)
      // The listing is taken when the reading starts: `listedSpent`'s quota was spent then.
      const spent = gate !== undefined && listedSpent
      if (gate && read.stoppable) {
        const stopped = new Promise<void>((resolve) => signal!.addEventListener('abort', () => resolve()))
        await Promise.race([gate, stopped])
        if (signal!.aborted) {
          read.stopped = true
          throw signal!.reason
        }
      }
      if (gate) await gate
      const reading = await inner.readCounters()
      if (!spent) return reading
      const samples = reading.samples.map((x) => (x.subscriberId === spent ? { ...x, quotaSpent: true } : x))
      return { ...reading, samples }
    },
    async apply(rules, reading, creating, only, giveWay) {
      const entry: (typeof applies)[number] = { rules: [...rules], only: only && [...only].sort() }
      applies.push(entry)
      if (giveWay && planning) {
        await planning
        if (giveWay()) {
          entry.gaveWay = true
          return { skipped: [], gaveWay: true }
        }
      }
      if (only && pushGate) await pushGate
      if (failWhole && !only && !giveWay) throw new Error('nft: the router refused the batch')
      return inner.apply(rules, reading, creating, only)
    },
  }
  return {
    driver,
    applies,
    reads,
    holdPlanning() {
      planning = new Promise((resolve) => {
        planned = resolve
      })
    },
    releasePlanning() {
      planning = undefined
      planned()
    },
    /** Pushed applies wait from now until releasePushes. */
    holdPushes() {
      pushGate = new Promise((resolve) => {
        openPushes = resolve
      })
    },
    releasePushes() {
      pushGate = undefined
      openPushes()
    },
    /** Whole applies not asked to give way fail from now on. */
    failWholeApplies() {
      failWhole = true
    },
    holdReadings() {
      gate = new Promise((resolve) => {
        open = resolve
      })
    },
    releaseReadings() {
      gate = undefined
      open()
    },
  }
}

/** An agent on the gated simulated router, synced by a fake controller with `subscribers`. */
async function startAgent(subscribers: SubscriberLimit[], router: ReturnType<typeof gatedDriver>) {
  const { controller, agent } = await startTestAgent({
    name: 'push',
    onHello: (socket) => socket.send(JSON.stringify(sync(subscribers))),
    driver: router.driver,
    deps: { now: () => START_MS },
    cleanup,
  })
  return { controller, router, agent }
}

describe('a pushed limit beside a running poll', () => {
  it('is applied for its own subscribers while the poll still waits for the router', async () => {
    const subscribers = Array.from({ length: 5 }, (_, i) => limit(i))
    const { controller, router, agent } = await startAgent(subscribers, gatedDriver())
    await controller.next('state')
    await waitUntil('the sync is applied', () => router.applies.some((a) => a.rules.length === 5))
    // A poll run to its end: the sync before it is then wholly done.
    await agent.pollNow()

    router.holdReadings()
    cleanup.push(async () => router.releaseReadings())
    const polled = agent.pollNow()
    const before = router.applies.length
    const states = controller.received.filter((m) => m.type === 'state').length
    // A top-up: more allowance and a new version, while the poll is stuck in its reading.
    controller.send({
      v: PROTOCOL_VERSION,
      type: 'limits',
      subscribers: [limit(3, { limitBytes: 2e12, limitVersion: 2 })],
    })
    await waitUntil('the push is applied', () => router.applies.length > before)
    expect(router.applies[before]!.only).toEqual(['sub_3'])
    expect(router.applies[before]!.rules.find((r) => r.subscriberId === 'sub_3')).toBeDefined()
    // …and reported as enforced, still before the poll has its reading.
    await waitUntil('the new version is reported', () =>
      controller.received
        .slice(states)
        .some(
          (m) =>
            m.type === 'state' && m.subscribers.some((s: { limitVersion: number }) => s.limitVersion === 2),
        ),
    )
    expect(router.applies).toHaveLength(before + 1)

    router.releaseReadings()
    await polled
    // The poll's own apply comes after, of every subscriber, with the pushed limit in its rules.
    const last = router.applies.at(-1)!
    expect(last.only).toBeUndefined()
    expect(last.rules).toHaveLength(5)
    expect(agent.snapshot().books.sub_3!.limit.limitVersion).toBe(2)
  })

  it("goes before a poll's whole apply still planning, which then enforces with the pushed limit", async () => {
    const subscribers = Array.from({ length: 5 }, (_, i) => limit(i, { limitBytes: 1e6 }))
    const { controller, router, agent } = await startAgent(subscribers, gatedDriver())
    await controller.next('state')
    await agent.pollNow()

    router.holdPlanning()
    cleanup.push(async () => router.releasePlanning())
    const before = router.applies.length
    const polled = agent.pollNow()
    await waitUntil('the poll plans', () => router.applies.length > before)
    controller.send({
      v: PROTOCOL_VERSION,
      type: 'limits',
      subscribers: [limit(2, { limitBytes: 5e6, limitVersion: 2 })],
    })
    // The push waits for the router while the poll's plan goes on; at its next slice the plan gives way.
    await new Promise((resolve) => setTimeout(resolve, 50))
    router.releasePlanning()
    await polled
    const applies = router.applies.slice(before)
    expect(applies.map((a) => [a.only?.join(',') ?? 'whole', a.gaveWay ?? false])).toEqual([
      ['whole', true],
      ['sub_2', false],
      ['whole', false],
    ])
    const remaining = (a: (typeof applies)[number]) =>
      a.rules.find((r) => r.subscriberId === 'sub_2')!.remainingBytes
    // The whole apply after the push is made of the books as the push left them, not as they were.
    expect(remaining(applies[2]!)).toBe(remaining(applies[1]!))
    expect(remaining(applies[2]!)).toBeGreaterThan(remaining(applies[0]!)!)
  })

  it('that goes first enforces and reports only its own subscribers, not the books the poll has yet to apply', async () => {
    const subscribers = [limit(0), limit(1, { limitBytes: 1e6 })]
    const { controller, router, agent } = await startAgent(subscribers, gatedDriver('sub_1'))
    await controller.next('state')
    await agent.pollNow()
    expect(agent.snapshot().books.sub_1!.applied).toBe('open')

    // This poll finds sub_1's quota spent: its books say blocked, the router is yet to be told.
    router.holdReadings()
    router.holdPlanning()
    cleanup.push(async () => router.releaseReadings())
    cleanup.push(async () => router.releasePlanning())
    const before = router.applies.length
    const polled = agent.pollNow()
    router.releaseReadings()
    await waitUntil('the poll plans', () => router.applies.length > before)
    const states = controller.received.length
    controller.send({
      v: PROTOCOL_VERSION,
      type: 'limits',
      subscribers: [limit(0, { limitBytes: 2e12, limitVersion: 2 })],
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    // The poll's own apply, after the push, is refused by the router.
    router.failWholeApplies()
    router.releasePlanning()
    await polled
    expect(
      router.applies.slice(before).map((a) => [a.only?.join(',') ?? 'whole', a.gaveWay ?? false]),
    ).toEqual([
      ['whole', true],
      ['sub_0', false],
      ['whole', false],
    ])
    const reported = controller.received
      .slice(states)
      .filter((m) => m.type === 'state')
      .flatMap((m) => m.subscribers.map((s: { subscriberId: string }) => s.subscriberId))
    expect(reported).toEqual(['sub_0'])
    expect(agent.snapshot().books.sub_1!.applied).toBe('open')
  })

  it('does not block again a subscriber topped up while the router was read with its quota spent', async () => {
    const subscribers = [limit(0), limit(1, { limitBytes: 1e6 })]
    const { controller, router, agent } = await startAgent(subscribers, gatedDriver('sub_1'))
    await controller.next('state')
    await agent.pollNow()

    router.holdReadings()
    cleanup.push(async () => router.releaseReadings())
    const polled = agent.pollNow()
    const before = router.applies.length
    controller.send({
      v: PROTOCOL_VERSION,
      type: 'limits',
      subscribers: [limit(1, { limitBytes: 2e6, limitVersion: 2 })],
    })
    await waitUntil('the top-up is applied', () => router.applies.length > before)
    router.releaseReadings()
    await polled
    const last = router.applies.at(-1)!
    expect(last.only).toBeUndefined()
    expect(last.rules.find((r) => r.subscriberId === 'sub_1')!.state).toBe('open')
    expect(agent.snapshot().books.sub_1!.quotaSpent).toBeFalsy()
    // A later reading that still lists it spent is believed: the quota really ran out.
    router.holdReadings()
    const again = agent.pollNow()
    router.releaseReadings()
    await again
    expect(agent.snapshot().books.sub_1!.quotaSpent).toBe(true)
  })

  it('waits behind a sync still queued, so an older full state never overwrites a newer push', async () => {
    const { controller, router, agent } = await startAgent([limit(0)], gatedDriver())
    await controller.next('state')

    router.holdReadings()
    cleanup.push(async () => router.releaseReadings())
    const polled = agent.pollNow()
    controller.send(sync([limit(0, { limitVersion: 2 })]))
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(0, { limitVersion: 3 })] })
    await new Promise((resolve) => setTimeout(resolve, 50))
    router.releaseReadings()
    await polled
    await waitUntil('both are taken', () => agent.snapshot().books.sub_0!.limit.limitVersion === 3)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(agent.snapshot().books.sub_0!.limit.limitVersion).toBe(3)
  })

  it('stops a reading under way, goes first, and the poll reads again to the end once the push is through', async () => {
    const { controller, router, agent } = await startAgent([limit(0), limit(1)], gatedDriver(undefined, true))
    await controller.next('state')
    await agent.pollNow()

    router.holdReadings()
    cleanup.push(async () => router.releaseReadings())
    const [reads, before] = [router.reads.length, router.applies.length]
    const polled = agent.pollNow()
    await waitUntil('the poll reads', () => router.reads.length > reads)
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(1, { limitVersion: 2 })] })
    await waitUntil('the push is applied', () => router.applies.length > before)
    await waitUntil('the poll reads again', () => router.reads.length > reads + 1)
    // A push while the poll reads again does not stop it: it would starve under steady pushes.
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(0, { limitVersion: 2 })] })
    await waitUntil('the second push is applied', () => router.applies.length > before + 1)
    router.releaseReadings()
    await polled
    expect(router.reads.slice(reads)).toEqual([
      { stoppable: true, stopped: true },
      { stoppable: false, stopped: false },
    ])
    expect(router.applies.slice(before).map((a) => a.only?.join(',') ?? 'whole')).toEqual([
      'sub_1',
      'sub_0',
      'whole',
    ])
    // The poll's reading, taken after the push, is the one booked.
    expect(agent.snapshot().books.sub_1!.limit.limitVersion).toBe(2)
  })

  it('reads again once the pushes that stopped it are through, not after every push that comes later', async () => {
    const { controller, router, agent } = await startAgent([limit(0), limit(1)], gatedDriver(undefined, true))
    await controller.next('state')
    await agent.pollNow()

    router.holdReadings()
    router.holdPushes()
    cleanup.push(async () => router.releaseReadings())
    cleanup.push(async () => router.releasePushes())
    const [reads, before] = [router.reads.length, router.applies.length]
    const polled = agent.pollNow()
    await waitUntil('the poll reads', () => router.reads.length > reads)
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(0, { limitVersion: 2 })] })
    await waitUntil('the reading stops', () => router.reads[reads]!.stopped)
    // A second push comes while the first is still at the router.
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(1, { limitVersion: 2 })] })
    await new Promise((resolve) => setTimeout(resolve, 20))
    // The first goes through; the second is held at the router from now on.
    router.releasePushes()
    router.holdPushes()
    await waitUntil(
      'the poll reads again while the second push is held',
      () => router.reads.length > reads + 1,
    )
    expect(router.applies.slice(before).map((a) => a.only?.join(','))).toEqual(['sub_0', 'sub_1'])
    router.releasePushes()
    router.releaseReadings()
    await polled
  })
})
