/**
 * The controller hangs (SIGSTOP: its sockets stay open, nothing is answered) for over 10 s while
 * traffic flows. The agent enforces on its own: a subscriber who reaches the cap during the outage
 * is blocked at once, within one packet. Once the controller is back, every byte the kernel counted
 * is booked, exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createStack,
  MAX_OVERSHOOT,
  MB,
  type Stack,
  skipStack,
  stackTitle,
  trafficLoop,
  waitFor,
} from './support/capd-stack.js'

const OUTAGE_MS = 10_000

describe.skipIf(skipStack)(stackTitle('controller outage on a namespace router'), () => {
  let stack: Stack

  beforeEach(async () => {
    // A fast poll: the hung controller gets more unanswered usage messages than it accepts (64),
    // so after it wakes up it closes the connection and the agent must reconnect and replay.
    stack = await createStack({ customers: 2, pollIntervalMs: 100 })
  })
  afterEach(async () => {
    stack?.controller.resume()
    await stack?.destroy()
  })

  it('blocks at the cap without the controller, and books every byte once it is back', async () => {
    const { net } = stack
    const cap = 30 * MB
    const a = await stack.addSubscriber(0, await stack.createPlan(cap))
    const b = await stack.addSubscriber(1, await stack.createPlan(1_000_000 * MB))
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([a.id, b.id])
    expect((await net.download(a.customer, { bytes: 10 * MB })).receivedBytes).toBe(10 * MB)
    const before = await stack.settle([a.id])
    const allowance = cap - before.get(a.id)!.controller

    const bTraffic = trafficLoop(net, b.customer)
    let bMoved: { delivered: number } | undefined
    try {
      await waitFor('B is booked', async () => (await stack.booked(b.id)).usedBytes > 0)
      stack.controller.pause()
      const outageStarted = Date.now()
      // A runs into the cap while nobody can answer the agent.
      const blast = await net.download(a.customer, { bytes: 100 * MB, timeoutMs: 3000 })
      console.info(
        `outage: A allowance ${allowance}, delivered ${blast.receivedBytes} (past: ${blast.receivedBytes - allowance})`,
      )
      expect(blast.receivedBytes - allowance, 'payload past the allowance').toBeLessThanOrEqual(MAX_OVERSHOOT)
      expect(blast.receivedBytes).toBeGreaterThan(allowance - 2 * MB)
      await waitFor(
        'A is blocked (no answer to pings)',
        async () => !(await net.ping(net.upstreamNs, a.customer.ipv4)),
      )
      expect((await net.download(a.customer, { bytes: MB, timeoutMs: 1000 })).receivedBytes).toBe(0)
      const kernelA = (await stack.kernel(a.id))!.total
      expect(kernelA).toBeLessThanOrEqual(cap)
      expect(kernelA).toBeGreaterThan(cap - MAX_OVERSHOOT)
      // The outage lasts its full length, with B's traffic flowing all along.
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)))
      stack.controller.resume()
      // B's traffic goes on a little longer, now with the controller back.
      const seen = (await stack.booked(b.id)).usedBytes
      await waitFor(
        'B is booked again after the outage',
        async () => (await stack.booked(b.id)).usedBytes > seen,
      )
    } finally {
      stack.controller.resume()
      bMoved = await bTraffic.stop()
    }

    const settled = await stack.settle([a.id, b.id])
    for (const [id, { kernel, controller }] of settled) {
      console.info(
        `after the outage: ${id} kernel ${kernel} controller ${controller} (diff ${controller - kernel})`,
      )
      expect(controller, `${id}: controller usedBytes == kernel counters`).toBe(kernel)
    }
    expect(settled.get(b.id)!.kernel).toBeGreaterThan(bMoved.delivered)
    expect(await stack.auditActions()).not.toContain('usage.seq_gap')
    await waitFor(
      'the controller shows A blocked',
      async () => (await stack.booked(a.id)).state === 'blocked',
    )
    const shown = await stack.booked(a.id)
    expect(shown.usedBytes).toBeGreaterThanOrEqual(cap - MAX_OVERSHOOT)
    expect(shown.usedBytes).toBeLessThanOrEqual(cap)
    const links = stack
      .agent!.output()
      .split('\n')
      .filter((line) => /controller/.test(line))
    console.info(`the agent's link during the outage:\n${links.join('\n')}`)
  })
})

describe.skipIf(skipStack)(stackTitle('network loss between agent and controller'), () => {
  let stack: Stack

  beforeEach(async () => {
    stack = await createStack({ customers: 2, pollIntervalMs: 100, viaProxy: true })
  })
  afterEach(async () => {
    await stack?.destroy()
  })

  it('books every byte once when usage messages vanish and the next sync comes late', async () => {
    const proxy = stack.proxy!
    const plan = await stack.createPlan(1_000_000 * MB)
    const a = await stack.addSubscriber(0, plan)
    const b = await stack.addSubscriber(1, plan)
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([a.id, b.id])
    const loops = [trafficLoop(stack.net, a.customer), trafficLoop(stack.net, b.customer)]
    try {
      await waitFor('usage is booked', async () => (await stack.booked(a.id)).usedBytes > 0)
      // The agent's usage messages of the next 1.5 s reach nobody, then the connection breaks.
      proxy.blackhole()
      await sleep(1500)
      // On the new connection the controller's answers (the sync) take 1.5 s to arrive.
      proxy.holdRepliesOnNewConnections(1500)
      proxy.cut()
      proxy.pass()
      await stack.waitForAgentConnected()
      const seen = (await stack.booked(a.id)).usedBytes
      await waitFor('usage is booked again', async () => (await stack.booked(a.id)).usedBytes > seen)
    } finally {
      await Promise.all(loops.map((loop) => loop.stop()))
    }
    const settled = await stack.settle([a.id, b.id])
    for (const [id, { kernel, controller }] of settled) {
      console.info(
        `network loss: ${id} kernel ${kernel} controller ${controller} (diff ${controller - kernel})`,
      )
      expect(controller, `${id}: controller usedBytes == kernel counters`).toBe(kernel)
    }
    expect(await stack.auditActions()).not.toContain('usage.seq_gap')
  })
})
