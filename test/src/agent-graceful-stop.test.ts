/**
 * What `systemctl stop capd-agent` (SIGTERM) does, on a real agent process and a namespace router:
 * the agent exits 0 with its journal on disk (usage the controller has not acknowledged included),
 * and the router keeps enforcing: a blocked subscriber stays blocked and the others keep counting.
 * Started again, the agent books what the kernel counted while it was stopped, exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { silentLogger } from '@capd/log'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openState } from '../../agent/src/state/open-state.js'
import {
  createStack,
  MAX_OVERSHOOT,
  MB,
  type Stack,
  skipStack,
  stackTitle,
  waitFor,
} from './support/capd-stack.js'

const POLL_MS = 300

describe.skipIf(skipStack)(stackTitle('agent graceful stop on a namespace router'), () => {
  let stack: Stack

  beforeEach(async () => {
    stack = await createStack({ customers: 2, pollIntervalMs: POLL_MS })
  })
  afterEach(async () => {
    await stack?.destroy()
  })

  it('SIGTERM leaves enforcement at the router and the unsent usage in the journal; a restart books it once', async () => {
    const { net } = stack
    try {
      const cap = 10 * MB
      const plan = await stack.createPlan(cap)
      const a = await stack.addSubscriber(0, plan)
      const b = await stack.addSubscriber(1, plan)
      await stack.startAgent()
      await stack.waitForAgentConnected()
      await stack.waitForCounters([a.id, b.id])

      await net.download(a.customer, { bytes: 3 * cap, timeoutMs: 3000 })
      await waitFor(
        'the controller shows A blocked',
        async () => (await stack.booked(a.id)).state === 'blocked',
      )

      // The controller goes away: what B downloads now lives only in the agent's journal.
      await stack.controller.kill()
      const bBytes = MB + Math.floor(Math.random() * 3 * MB)
      expect((await net.download(b.customer, { bytes: bBytes })).receivedBytes).toBe(bBytes)
      // Several polls, so the last one has read B's counters after the transfer ended.
      await sleep(POLL_MS * 6)

      expect(await stack.agent!.stop()).toBe(0)
      expect(stack.agent!.output()).toContain('stopping (enforcement stays in place at the router)')
      const atStop = new Map([
        [a.id, (await stack.kernel(a.id))!],
        [b.id, (await stack.kernel(b.id))!],
      ])

      // On disk: every counter position the last poll read, and records the controller never acknowledged.
      const { state } = await openState(stack.stateDir, silentLogger)
      for (const [id, kernel] of atStop) {
        const baseline = state.baselines.get(id)
        expect(baseline, `${id}: a baseline on disk`).toBeDefined()
        expect(
          { down: Number(baseline!.down), up: Number(baseline!.up) },
          `${id}: the last poll's counters`,
        ).toEqual({
          down: kernel.down,
          up: kernel.up,
        })
      }
      expect(state.appliedSeq).toBeGreaterThan(state.ackedSeq)
      expect(state.books.get(a.id)!.usedBytes).toBeGreaterThanOrEqual(cap - MAX_OVERSHOOT)

      // The agent is gone; the router still enforces what it was told and still counts.
      expect(await net.ping(net.upstreamNs, a.customer.ipv4)).toBe(false)
      expect((await net.download(a.customer, { bytes: MB, timeoutMs: 1500 })).receivedBytes).toBe(0)
      expect((await net.download(b.customer, { bytes: MB })).receivedBytes).toBe(MB)
      expect((await stack.kernel(b.id))!.total).toBeGreaterThanOrEqual(atStop.get(b.id)!.total + MB)

      // Started again, the agent books what the kernel counted while it was stopped, exactly once,
      // and A never gets past the cap.
      await stack.startController()
      await stack.startAgent()
      await stack.waitForAgentConnected()
      await net.download(a.customer, { bytes: MB, timeoutMs: 1500 })
      const settled = await stack.settle([a.id, b.id])
      for (const [id, { kernel, controller }] of settled)
        expect(controller, `${id}: booked once`).toBe(kernel)
      expect(settled.get(a.id)!.controller).toBeLessThanOrEqual(cap)
      expect(settled.get(b.id)!.controller).toBeGreaterThanOrEqual(atStop.get(b.id)!.total + MB)
      expect(await stack.auditActions()).not.toContain('usage.seq_gap')
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${stack.logs()}`, { cause: error })
    }
  })
})
