import { PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createSimulatedDriver } from './drivers/simulated.js'
import { startTestAgent } from './testing-agent.js'
import type { Received } from './testing-fake-controller.js'

const DAY = 86_400_000
const START_MS = Date.parse('2026-03-10T12:00:00Z')

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

const limit = (limitVersion: number, limitBytes: number): SubscriberLimit => ({
  subscriberId: 'sub_a',
  address: '10.0.0.1',
  periodStart: new Date(START_MS - 10 * DAY).toISOString(),
  periodEnd: new Date(START_MS + 20 * DAY).toISOString(),
  limitBytes,
  usedBytes: 0,
  limitVersion,
  onCap: 'block',
})

describe('state reports', () => {
  it('say when a new limit version is enforced, even when the subscriber stays open', async () => {
    const { controller, agent } = await startTestAgent({
      name: 'version',
      onHello: (socket) =>
        socket.send(
          JSON.stringify({
            v: PROTOCOL_VERSION,
            type: 'sync',
            serverTimeMs: START_MS,
            subscribers: [limit(1, 1e12)],
          }),
        ),
      driver: createSimulatedDriver({ bytesPerSecond: 0, now: () => START_MS }),
      deps: { now: () => START_MS },
      cleanup,
    })
    const states = () => controller.received.filter((m: Received) => m.type === 'state')
    const reported = (version: number) =>
      states().some((m: Received) =>
        m.subscribers.some((x: Received) => x.subscriberId === 'sub_a' && x.limitVersion === version),
      )
    await controller.next('state')
    // A top-up while online: the limit grows, the subscriber was open and stays open.
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(2, 2e12)] })
    for (let n = states().length; !reported(2); n++) {
      const report = await controller.next('state', n)
      expect(report.subscribers[0].state).toBe('open')
    }
    const before = states().length
    // A replayed older push changes nothing and says nothing more.
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(1, 1e12)] })
    await agent.pollNow()
    expect(states().length).toBe(before)
  })
})
