/**
 * An agent given two controllers that share one store (a shared ledger): when the one it reports
 * to dies, refuses or is down, it moves to the other and re-sends what was never acked, so every
 * journal entry is booked exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { BookingController } from './testing-booking-controllers.js'
import { type FailoverRig, failoverRig, type RigOptions, until } from './testing-failover-agent.js'

const rigs: FailoverRig[] = []
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close()
})

async function rig(names: readonly string[], options?: RigOptions): Promise<FailoverRig> {
  const r = await failoverRig(names, options)
  rigs.push(r)
  return r
}

function pair(r: FailoverRig): { a: BookingController; b: BookingController } {
  const [a, b] = r.controllers
  if (!a || !b) throw new Error('the rig has two controllers')
  return { a, b }
}

/** Every seq of the agent's journal booked once, no gap, and the bytes the agent counted. */
function expectBookedExactly(r: FailoverRig): void {
  const { epoch, journal } = r.agent.snapshot()
  const expected = Array.from({ length: journal.lastSeq }, (_, i) => `${epoch}:${i + 1}`)
  expect([...r.ledger.booked.keys()].sort()).toEqual(expected.sort())
  expect(r.ledger.gaps).toEqual([])
  expect(r.ledger.totalBytes).toBe(r.countedBytes())
  expect(r.countedBytes()).toBeGreaterThan(0)
}

const connectedTo = (r: FailoverRig) =>
  r
    .records()
    .filter((l) => l.msg === `capd agent: connected to the controller ${l.controller}`)
    .map((l) => l.controller)

describe('an agent with two controllers', () => {
  it.each(['before', 'after'] as const)(
    'moves to B when A dies mid-report (%s booking it) and re-sends what A never acked',
    async (crash) => {
      const r = await rig(['A', 'B'])
      const { a, b } = pair(r)
      await r.synced()
      await r.poll(1000)
      await r.drained()
      const ackedByA = r.agent.snapshot().ackedSeq
      expect(ackedByA).toBeGreaterThan(0)
      a.crashOnUsage = crash
      await r.poll(1000)
      await until('A to die', () => !a.running)
      const sentToA = a.usage.at(-1)!.seqs
      await until('the agent to connect to B', () => b.connections === 1 && r.agent.snapshot().connected)
      await r.poll(1000)
      await r.drained()
      // What A got last was never acked by A: B got it again (or its mark, when A had booked it).
      const toB = b.usage.flatMap((u) => u.seqs)
      if (crash === 'before') for (const seq of sentToA) expect(toB).toContain(seq)
      expect(Math.min(...toB)).toBeGreaterThan(ackedByA)
      expectBookedExactly(r)
      expect(connectedTo(r)).toEqual([a.url, b.url])
    },
  )

  it.each([401, 500] as const)('tries B at once when A refuses the connection (HTTP %i)', async (status) => {
    const r = await rig(['A', 'B'], {
      prepare: ([first]) => {
        first!.upgrade = status
      },
    })
    const { a, b } = pair(r)
    await until('the agent to be on B', () => b.connections === 1 && r.agent.snapshot().connected)
    await r.synced()
    await r.poll(1000)
    await r.drained()
    // Refused once, A is not dialled again while B works; a 401 from one of two is not the end.
    expect(a.dials).toBe(1)
    expect(a.connections).toBe(0)
    expectBookedExactly(r)
    expect(r.agent.metricsView().controllerUrl).toBe(b.url)
  })

  it('stays on B when A comes back, and goes back to A only when B fails', async () => {
    const r = await rig(['A', 'B'])
    const { a, b } = pair(r)
    await r.synced()
    await a.kill()
    await until('the agent to be on B', () => b.connections === 1 && r.agent.snapshot().connected)
    await a.start()
    for (let i = 0; i < 5; i++) {
      await r.poll(1000)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // No flapping: A is back and first in the list, but the agent has no reason to leave B.
    expect(a.connections).toBe(1)
    expect(b.connections).toBe(1)
    await b.kill()
    await until('the agent back on A', () => a.connections === 2 && r.agent.snapshot().connected)
    await r.poll(1000)
    await r.drained()
    expectBookedExactly(r)
    expect(connectedTo(r)).toEqual([a.url, b.url, a.url])
  })

  it('backs off while both are down, keeps counting, and delivers it all when one comes back', async () => {
    const r = await rig(['A', 'B'])
    const { a, b } = pair(r)
    await r.synced()
    // Down behind a proxy first (HTTP 500 to every dial, counted), then not even listening.
    a.upgrade = 500
    b.upgrade = 500
    await a.kill()
    await a.start()
    await until('the agent to dial B', () => b.dials === 1)
    const dialsBefore = a.dials + b.dials
    const deadline = Date.now() + 1000
    while (Date.now() < deadline) {
      await r.poll(1000)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // Backoff 20 ms doubling to 200 ms per round of two: a dozen rounds in a second, not a tight loop.
    const dials = a.dials + b.dials - dialsBefore
    expect(dials).toBeGreaterThan(2)
    expect(dials).toBeLessThan(60)
    await a.kill()
    await b.kill()
    await r.poll(1000)
    expect(r.agent.snapshot().unacked).toBeGreaterThan(0)
    b.upgrade = 'accept'
    await b.start()
    await until('the agent on B', () => b.connections === 1 && r.agent.snapshot().connected, 2000)
    await r.drained()
    expectBookedExactly(r)
    expect(a.connections).toBe(1)
    expect(b.connections).toBe(1)
  })
})
