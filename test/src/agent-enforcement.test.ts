/**
 * The product's core promise end to end: a real controller, a real agent process and a namespace
 * router with nftables, real packets. A subscriber who reaches the cap is blocked by the agent on
 * its own (the kernel quota stops the traffic within one packet), another subscriber is untouched,
 * the controller books exactly what the kernel counted, and a top-up through the API opens the
 * subscriber again without restarting anything.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createStack,
  MAX_OVERSHOOT,
  MB,
  type Stack,
  skipStack,
  stackTitle,
  waitFor,
} from './support/capd-stack.js'

describe.skipIf(skipStack)(stackTitle('agent enforcement on a namespace router'), () => {
  let stack: Stack

  beforeEach(async () => {
    stack = await createStack({ customers: 2 })
  })
  afterEach(async () => {
    await stack?.destroy()
  })

  it('blocks a subscriber at the cap, leaves another alone, and a top-up opens it again at once', async () => {
    const { net } = stack
    const cap = 20 * MB
    const plan = await stack.createPlan(cap)
    const a = await stack.addSubscriber(0, plan)
    const b = await stack.addSubscriber(1, plan)
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([a.id, b.id])
    const bFull = async (what: string) => {
      const moved = await net.download(b.customer, { bytes: 2 * MB })
      expect(moved.receivedBytes, `B's transfer ${what}`).toBe(2 * MB)
    }

    await bFull('before A reaches the cap')
    expect(await net.ping(net.upstreamNs, a.customer.ipv4)).toBe(true)
    // A downloads far past the cap while B downloads too.
    const [aBlast] = await Promise.all([
      net.download(a.customer, { bytes: 40 * MB, timeoutMs: 3000 }),
      bFull('while A runs into the cap'),
    ])
    console.info(`A: cap ${cap}, asked for 40 MB, delivered ${aBlast.receivedBytes}`)
    expect(aBlast.receivedBytes).toBeLessThanOrEqual(cap)
    expect(aBlast.receivedBytes).toBeGreaterThan(cap - 2 * MB)

    await waitFor(
      'the controller shows A blocked',
      async () => (await stack.booked(a.id)).state === 'blocked',
    )
    expect(await net.ping(net.upstreamNs, a.customer.ipv4)).toBe(false)
    expect(await net.ping(a.customer.ns, net.upstream.ipv4)).toBe(false)
    expect((await net.download(a.customer, { bytes: MB, timeoutMs: 1500 })).receivedBytes).toBe(0)
    expect(
      (await net.download(a.customer, { bytes: MB, protocol: 'udp', timeoutMs: 1000 })).receivedBytes,
    ).toBe(0)
    const settled = await stack.settle([a.id, b.id])
    const blocked = await stack.booked(a.id)
    console.info(
      `A blocked: controller used ${blocked.usedBytes} of ${blocked.limitBytes}; kernel ${settled.get(a.id)!.kernel}`,
    )
    expect(blocked.state).toBe('blocked')
    expect(blocked.usedBytes).toBeGreaterThanOrEqual(cap - MAX_OVERSHOOT)
    expect(blocked.usedBytes).toBeLessThanOrEqual(cap)
    for (const [id, { kernel, controller }] of settled) expect(controller, `${id} booked`).toBe(kernel)
    await bFull('while A is blocked')
    expect((await stack.booked(b.id)).state).toBe('open')

    // A top-up through the API: the agent gets the new limit pushed and opens A by itself.
    await stack.topUp(a.id, 10 * MB)
    await waitFor('A answers pings again', () => net.ping(net.upstreamNs, a.customer.ipv4))
    expect((await net.download(a.customer, { bytes: 3 * MB })).receivedBytes).toBe(3 * MB)
    await waitFor('the controller shows A open', async () => (await stack.booked(a.id)).state === 'open')
    await bFull('after A was topped up')
    const after = await stack.settle([a.id, b.id])
    for (const [id, { kernel, controller }] of after) expect(controller, `${id} booked`).toBe(kernel)
    const bUsed = (await stack.booked(b.id)).usedBytes
    expect(bUsed).toBeGreaterThan(8 * MB)
    expect(bUsed).toBeLessThan(cap)
  })

  it('lets at most one packet past the allowance when blasting at full speed', async () => {
    const { net } = stack
    const planA = await stack.createPlan(15 * MB)
    const planB = await stack.createPlan(10 * MB)
    const a = await stack.addSubscriber(0, planA)
    const b = await stack.addSubscriber(1, planB)
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([a.id, b.id])

    // A uses 5 MB first: 10 MB left, as both the controller and the kernel say.
    expect((await net.download(a.customer, { bytes: 5 * MB })).receivedBytes).toBe(5 * MB)
    const before = await stack.settle([a.id, b.id])
    for (const [id, { kernel, controller }] of before) expect(controller, `${id} booked`).toBe(kernel)
    const allowance = {
      a: 15 * MB - before.get(a.id)!.controller,
      b: 10 * MB - before.get(b.id)!.controller,
    }
    expect(allowance.a).toBeGreaterThan(9 * MB)

    // UDP at full speed to A (IPv4), TCP to B, both far past what is left.
    const [udp, tcp] = await Promise.all([
      net.download(a.customer, { bytes: 60 * MB, protocol: 'udp', timeoutMs: 3000 }),
      net.download(b.customer, { bytes: 60 * MB, timeoutMs: 3000 }),
    ])
    const after = await stack.settle([a.id, b.id])
    const overshoot = { a: udp.receivedBytes - allowance.a, b: tcp.receivedBytes - allowance.b }
    console.info(
      `quota: A allowance ${allowance.a}, UDP sent ${udp.sentBytes}, delivered ${udp.receivedBytes} (past: ${overshoot.a});`,
      `B allowance ${allowance.b}, TCP delivered ${tcp.receivedBytes} (past: ${overshoot.b});`,
      `kernel totals A ${after.get(a.id)!.kernel} B ${after.get(b.id)!.kernel}`,
    )
    expect(udp.sentBytes).toBe(60 * MB)
    expect(overshoot.a, 'UDP payload past the allowance').toBeLessThanOrEqual(MAX_OVERSHOOT)
    expect(overshoot.b, 'TCP payload past the allowance').toBeLessThanOrEqual(MAX_OVERSHOOT)
    for (const [id, limit] of [
      [a.id, 15 * MB],
      [b.id, 10 * MB],
    ] as const) {
      const { kernel, controller } = after.get(id)!
      // The kernel counted (headers included) no more than the limit, and the test did reach it.
      expect(kernel, `${id} counted within the limit`).toBeLessThanOrEqual(limit)
      expect(kernel, `${id} reached the cap`).toBeGreaterThan(limit - MAX_OVERSHOOT)
      expect(controller, `${id} booked`).toBe(kernel)
      await waitFor(`${id} shown blocked`, async () => (await stack.booked(id)).state === 'blocked')
    }
  })
})
