/**
 * Counting with the whole stack: counters the agent creates are booked from their first byte, and
 * counters that vanish under the agent (the table deleted by hand) never produce a bogus delta.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createStack,
  MB,
  type Stack,
  skipStack,
  stackTitle,
  trafficLoop,
  waitFor,
} from './support/capd-stack.js'

const SEED = Number(process.env.CAPD_E2E_SEED ?? Math.floor(Math.random() * 2 ** 32))

describe.skipIf(skipStack)(stackTitle('counting on a namespace router'), () => {
  let stack: Stack | undefined

  afterEach(async () => {
    await stack?.destroy()
    stack = undefined
  })

  it('books every byte of a subscriber added while the agent runs, from the first poll on', async () => {
    // A slow poll, so the window between the agent's first reading of the new counters (still at
    // zero) and its next reading is wide enough for a whole transfer.
    stack = await createStack({ customers: 2, pollIntervalMs: 2500 })
    const { net } = stack
    const plan = await stack.createPlan(1000 * MB)
    const x = await stack.addSubscriber(1, plan)
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([x.id])

    // A new subscriber: the controller pushes it, the agent creates its counters.
    const a = await stack.addSubscriber(0, plan)
    await stack.waitForCounters([a.id])
    // Traffic for X only; once it is booked, the agent has polled since A's counters were created
    // (and read them at zero).
    expect((await net.download(x.customer, { bytes: 100_000 })).receivedBytes).toBe(100_000)
    await waitFor('X is booked', async () => (await stack!.booked(x.id)).usedBytes > 100_000)
    // Now A's first bytes, before the agent's next poll.
    expect((await net.download(a.customer, { bytes: 3 * MB })).receivedBytes).toBe(3 * MB)

    const settled = await stack.settle([a.id, x.id])
    for (const [id, { kernel, controller }] of settled) {
      console.info(`new subscriber: ${id} kernel ${kernel} controller ${controller}`)
      expect(controller, `${id}: controller usedBytes == kernel counters`).toBe(kernel)
    }
    expect(settled.get(a.id)!.kernel).toBeGreaterThan(3 * MB)
  })

  it('books every byte its re-created counters count before it first reads them (table deleted)', async () => {
    // A slow poll: the agent re-creates the counters in the poll that finds the table gone, and
    // reads them next only 2.5 s later, well after the transfer below.
    stack = await createStack({ customers: 1, pollIntervalMs: 2500 })
    const { net } = stack
    const a = await stack.addSubscriber(0, await stack.createPlan(1000 * MB))
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([a.id])
    expect((await net.download(a.customer, { bytes: MB })).receivedBytes).toBe(MB)
    const first = (await stack.settle([a.id])).get(a.id)!
    expect(first.controller, 'booked == kernel before the table goes').toBe(first.kernel)

    const before = await stack.counterHandles(a.id)
    await net.exec(net.routerNs, ['nft', 'delete', 'table', 'inet', 'capd'])
    await waitFor('the agent re-creates the counters', async () => {
      const now = await stack!.counterHandles(a.id)
      return now !== undefined && now !== before
    })
    expect((await net.download(a.customer, { bytes: 3 * MB })).receivedBytes).toBe(3 * MB)
    const kernel = (await stack.kernel(a.id))!.total
    expect(kernel, 'the new counters counted the transfer').toBeGreaterThan(3 * MB)
    await waitFor('the controller books the new counters', async () => {
      return (await stack!.booked(a.id)).usedBytes >= first.controller + kernel
    })
    expect((await stack.booked(a.id)).usedBytes, 'booked == old counters + new counters').toBe(
      first.controller + kernel,
    )
  })

  it('books every byte of a subscriber at full link speed while the agent is slow to look at the clock', async () => {
    // The customer's link is shaped to the agent's linkSpeedMbps, so the download runs at the
    // speed the agent allows and a delta is usage, never an anomaly. The agent is paused for a few
    // tens of ms now and then (as a loaded box, a GC pause or a stolen CPU does): a pause between
    // the kernel's snapshot of the counters and the agent's timestamp must not make a real delta
    // look faster than the link.
    const mbps = 400
    stack = await createStack({ customers: 1, pollIntervalMs: 200, linkSpeedMbps: mbps })
    const s = stack
    const { net } = s
    const shape = `tc qdisc add dev c0 root tbf rate ${mbps}mbit burst 32kb latency 5ms`
    await net.exec(net.routerNs, shape.split(' '))
    const a = await s.addSubscriber(0, await s.createPlan(1_000_000 * MB))
    const agent = await s.startAgent()
    await s.waitForAgentConnected()
    await s.waitForCounters([a.id])
    const random = seededRandom(SEED)
    let pausing = true
    const pauses = (async () => {
      while (pausing) {
        await sleep(random.int(50, 250))
        process.kill(agent.pid, 'SIGSTOP')
        await sleep(random.int(40, 80))
        process.kill(agent.pid, 'SIGCONT')
      }
    })()
    let moved: Awaited<ReturnType<typeof net.download>>
    try {
      moved = await net.download(a.customer, { bytes: 1e9, timeoutMs: 4000 })
    } finally {
      pausing = false
      await pauses
    }
    const rate = (moved.receivedBytes * 8) / (moved.timeline.at(-1)![0] * 1000)
    const settled = (await s.settle([a.id])).get(a.id)!
    const anomalies = agent
      .output()
      .split('\n')
      .filter((line) => line.includes('counter anomaly'))
    console.info(
      `link ${mbps} Mbit/s, download at ${rate.toFixed(0)} Mbit/s: kernel ${settled.kernel} controller ${settled.controller}`,
      `(diff ${settled.controller - settled.kernel}, CAPD_E2E_SEED=${SEED})${anomalies.length ? `\n${anomalies.join('\n')}` : ''}`,
    )
    expect(rate).toBeLessThanOrEqual(mbps)
    expect(anomalies).toEqual([])
    expect(settled.controller).toBe(settled.kernel)
  })
})

/**
 * What exactness a reset allows. The agent books a delta only within one counter generation: when
 * the table (and so every counter) is re-created, the bytes the old counters counted after the
 * agent's last reading of them, and the bytes the new counters count before the agent's first
 * reading of them, are not booked (the agent logs the new generation and rebases). So:
 * - never more than the kernel counted: controller total ≤ old counters' final + new counters;
 * - exactly that sum when no packet passes between the agent's last reading of the old counters
 *   and its first reading of the new ones. The test makes that so by holding all forwarding at the
 *   router (a drop chain of its own, ahead of capd's) around the reset, while TCP flows stay open.
 */
describe.skipIf(skipStack)(stackTitle('counter reset on a namespace router'), () => {
  let stack: Stack | undefined

  afterEach(async () => {
    await stack?.destroy()
    stack = undefined
  })

  it('books no bogus delta when the table is deleted under a running or a stopped agent', async () => {
    stack = await createStack({ customers: 2, pollIntervalMs: 200 })
    const s = stack
    const { net } = s
    const plan = await s.createPlan(1_000_000 * MB)
    const a = await s.addSubscriber(0, plan)
    const b = await s.addSubscriber(1, plan)
    const ids = [a.id, b.id]
    await s.startAgent()
    await s.waitForAgentConnected()
    await s.waitForCounters(ids)
    const nft = (script: string) => net.exec(net.routerNs, ['nft', '-f', '-'], `${script}\n`)
    const hold = () =>
      nft(
        'add table inet e2ehold\nadd chain inet e2ehold forward { type filter hook forward priority -100; policy drop; }',
      )
    const release = () => nft('delete table inet e2ehold')
    const kernelTotals = async () => {
      const totals = new Map<string, number>()
      for (const id of ids) totals.set(id, (await s.kernel(id))?.total ?? 0)
      return totals
    }
    /** Waits until the controller has booked exactly `expected` for everyone. */
    const bookedExactly = (expected: ReadonlyMap<string, number>, what: string) =>
      waitFor(`the controller books ${what}`, async () => {
        for (const [id, bytes] of expected) if ((await s.booked(id)).usedBytes !== bytes) return false
        return true
      })
    // A counter re-created by the agent itself is counted from zero (and said so); one it did not
    // see coming starts a new generation (an anomaly).
    const anomalies = (id: string) =>
      s
        .agent!.output()
        .split('\n')
        .filter(
          (line) =>
            line.includes(`counter anomaly: ${id}: counter re-created`) ||
            line.includes(`counting ${id} on the counters it created`),
        ).length
    /** The counters' handles and the agent's anomaly lines now, to see a new generation come. */
    const generation = async () => ({
      handles: new Map(await Promise.all(ids.map(async (id) => [id, await s.counterHandles(id)] as const))),
      anomalies: new Map(ids.map((id) => [id, s.agent ? anomalies(id) : 0])),
    })
    /** Until the counters are re-created and the agent has read them (it logs each new generation). */
    const newGeneration = async (before: Awaited<ReturnType<typeof generation>>) => {
      await waitFor('the counters are re-created', async () => {
        for (const id of ids) {
          const now = await s.counterHandles(id)
          if (!now || now === before.handles.get(id)) return false
        }
        return true
      })
      await waitFor('the agent starts a new counter generation for each subscriber', () =>
        ids.every((id) => anomalies(id) > before.anomalies.get(id)!),
      )
    }

    // 1. Counted and booked exactly.
    const loops = [trafficLoop(net, a.customer), trafficLoop(net, b.customer)]
    let old: Map<string, number>
    try {
      await waitFor('usage is booked', async () => (await s.booked(a.id)).usedBytes > 0)
      // 2. The table is deleted under the running agent while TCP flows are open (held at the router).
      await hold()
      old = await kernelTotals()
      await bookedExactly(old, 'what the old counters counted')
      const before = await generation()
      await net.exec(net.routerNs, ['nft', 'delete', 'table', 'inet', 'capd'])
      await newGeneration(before)
      await release()
      const seen = (await s.booked(a.id)).usedBytes
      await waitFor(
        'usage is booked from the new counters',
        async () => (await s.booked(a.id)).usedBytes > seen,
      )
    } finally {
      await release().catch(() => {})
      await Promise.all(loops.map((loop) => loop.stop()))
    }
    const afterRunning = await s.settle(ids)
    for (const id of ids) {
      const { kernel, controller } = afterRunning.get(id)!
      const expected = old.get(id)! + kernel
      console.info(
        `reset under a running agent: ${id} old counters ${old.get(id)} + new ${kernel} = ${expected}; controller ${controller}`,
      )
      expect(kernel, `${id}: the new counters counted traffic`).toBeGreaterThan(MB)
      expect(controller, `${id}: booked == old counters + new counters`).toBe(expected)
    }

    // 3. Deleted again under the running agent, and this time traffic flows on at once: the agent
    // re-creates the counters and books them from zero, even what they count before it first reads them.
    const gone = new Map(ids.map((id) => [id, old.get(id)!]))
    const bookedBefore = new Map(ids.map((id) => [id, afterRunning.get(id)!.controller]))
    const again = [trafficLoop(net, a.customer), trafficLoop(net, b.customer)]
    try {
      const seen = (await s.booked(a.id)).usedBytes
      await waitFor('usage is booked', async () => (await s.booked(a.id)).usedBytes > seen)
      // Held while the old counters' last values are read and booked (what a deleted table counted
      // after the agent's last reading is gone with it), then deleted and released at once.
      await hold()
      const last = await kernelTotals()
      for (const id of ids) gone.set(id, gone.get(id)! + last.get(id)!)
      await bookedExactly(gone, 'what the old counters counted')
      const before = await generation()
      await net.exec(net.routerNs, ['nft', 'delete', 'table', 'inet', 'capd'])
      await release()
      await newGeneration(before)
      const now = (await s.booked(a.id)).usedBytes
      await waitFor(
        'usage is booked from the new counters',
        async () => (await s.booked(a.id)).usedBytes > now,
      )
    } finally {
      await release().catch(() => {})
      await Promise.all(again.map((loop) => loop.stop()))
    }
    const afterFlowing = await s.settle(ids)
    for (const id of ids) {
      const { kernel, controller } = afterFlowing.get(id)!
      const counted = gone.get(id)! + kernel
      console.info(
        `reset under traffic: ${id} counted by all generations ${counted}; controller ${controller} (diff ${controller - counted})`,
      )
      expect(controller, `${id}: the new counters are booked`).toBeGreaterThan(bookedBefore.get(id)!)
      expect(controller, `${id}: booked == what every generation counted`).toBe(counted)
    }

    // 4. The agent stops, the table is deleted, traffic passes uncounted, the agent starts again.
    const beforeStop = new Map(ids.map((id) => [id, afterFlowing.get(id)!.controller]))
    const stopped = await generation()
    for (const id of ids) stopped.anomalies.set(id, 0) // the restarted agent's log starts empty
    expect(await s.agent!.stop()).toBe(0)
    await net.exec(net.routerNs, ['nft', 'delete', 'table', 'inet', 'capd'])
    // Without the table nothing counts or enforces: these bytes are invisible to capd.
    expect((await net.download(a.customer, { bytes: 2 * MB })).receivedBytes).toBe(2 * MB)
    await s.startAgent()
    await s.waitForAgentConnected()
    await newGeneration(stopped)
    await bookedExactly(beforeStop, 'nothing more after the restart')
    expect((await net.download(a.customer, { bytes: 3 * MB })).receivedBytes).toBe(3 * MB)
    expect((await net.upload(b.customer, { bytes: 1 * MB })).receivedBytes).toBe(MB)
    const afterRestart = await s.settle(ids)
    for (const id of ids) {
      const { kernel, controller } = afterRestart.get(id)!
      const expected = beforeStop.get(id)! + kernel
      console.info(
        `reset while stopped: ${id} booked before ${beforeStop.get(id)} + new ${kernel} = ${expected}; controller ${controller}`,
      )
      expect(controller, `${id}: booked == before + new counters`).toBe(expected)
    }
    expect(afterRestart.get(a.id)!.kernel).toBeGreaterThan(3 * MB)
    expect(afterRestart.get(b.id)!.kernel).toBeGreaterThan(MB)
    expect(await s.auditActions()).not.toContain('usage.seq_gap')
  })
})
