/**
 * Exactly-once usage across crashes, with real processes and real packets: traffic flows to and
 * from two subscribers while the agent (or the controller) is killed with SIGKILL at random
 * moments and restarted on the same state. Once the traffic stops and everything is synced, the
 * controller's usedBytes for each subscriber must equal the kernel's own counters (`cd_<id>` +
 * `cu_<id>` in table inet capd) to the byte: nothing lost, nothing counted twice.
 * `CAPD_E2E_SEED=<n>` replays a run's kill moments.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createStack,
  MB,
  type Stack,
  type Subscriber,
  skipStack,
  stackTitle,
  trafficLoop,
  waitFor,
} from './support/capd-stack.js'

const SEED = Number(process.env.CAPD_E2E_SEED ?? Math.floor(Math.random() * 2 ** 32))
const KILLS = 4
/** Large enough that nobody is blocked: these tests are about counting. */
const CAP = 1_000_000 * MB

describe.skipIf(skipStack)(stackTitle('crashes on a namespace router'), () => {
  let stack: Stack
  let a: Subscriber
  let b: Subscriber

  beforeEach(async () => {
    stack = await createStack({ customers: 2, pollIntervalMs: 150 })
    const plan = await stack.createPlan(CAP)
    a = await stack.addSubscriber(0, plan)
    b = await stack.addSubscriber(1, plan)
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([a.id, b.id])
  })
  afterEach(async () => {
    await stack?.destroy()
  })

  /** Runs traffic to both subscribers, calls `crash` at random moments, then compares the books. */
  async function crashUnderTraffic(what: string, crash: (round: number) => Promise<void>) {
    const random = seededRandom(SEED)
    const context = `${what} (CAPD_E2E_SEED=${SEED})`
    const loops = [trafficLoop(stack.net, a.customer), trafficLoop(stack.net, b.customer)]
    try {
      await waitFor('usage is booked for both subscribers', async () => {
        return (await stack.booked(a.id)).usedBytes > 0 && (await stack.booked(b.id)).usedBytes > 0
      })
      for (let round = 1; round <= KILLS; round++) {
        await sleep(random.int(100, 1500))
        await crash(round)
        // The next crash comes only once the restarted pair has booked again.
        const seen = (await stack.booked(a.id)).usedBytes
        await waitFor(`usage is booked again after ${what} ${round}`, async () => {
          return (await stack.booked(a.id)).usedBytes > seen
        })
      }
    } finally {
      const moved = await Promise.all(loops.map((loop) => loop.stop()))
      console.info(
        `${context}: payload moved A ${moved[0]!.delivered} B ${moved[1]!.delivered}`,
        `in ${moved[0]!.transfers + moved[1]!.transfers} transfers`,
      )
    }
    const settled = await stack.settle([a.id, b.id])
    for (const [id, { kernel, controller }] of settled) {
      console.info(
        `${context}: ${id} kernel ${kernel} controller ${controller} (diff ${controller - kernel})`,
      )
    }
    if ([...settled.values()].some((v) => v.kernel !== v.controller)) {
      const audit = (await stack.auditActions()).filter((action) => !action.startsWith('subscriber.'))
      console.info(`${context}: audit ${JSON.stringify(audit)}\n${stack.logs()}`)
    }
    for (const [id, { kernel, controller }] of settled) {
      expect(kernel, `${id}: the kernel counted the traffic`).toBeGreaterThan(10 * MB)
      expect(controller, `${id}: controller usedBytes == kernel counters, ${context}`).toBe(kernel)
    }
    // The agent never skipped a sequence number (a skipped one is booked past, never filled in).
    expect(await stack.auditActions()).not.toContain('usage.seq_gap')
  }

  it(`books every byte once across ${KILLS} agent SIGKILLs mid-traffic`, async () => {
    const epochs = new Set([stack.agent!.epoch])
    await crashUnderTraffic('agent SIGKILL', async () => {
      await stack.agent!.kill()
      // Traffic goes on while no agent runs: the kernel keeps counting.
      await sleep(200)
      const agent = await stack.startAgent()
      epochs.add(agent.epoch)
      await stack.waitForAgentConnected()
    })
    // The same journal (same stateDir) throughout: one epoch.
    expect([...epochs]).toHaveLength(1)
  })

  it(`books every byte once across ${KILLS} controller SIGKILLs mid-ingest`, async () => {
    await crashUnderTraffic('controller SIGKILL', async () => {
      await stack.controller.kill()
      await sleep(200)
      await stack.startController()
      await stack.waitForAgentConnected()
    })
  })
})
