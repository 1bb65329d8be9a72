import { PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { createSimulatedDriver } from './drivers/simulated.js'
import { startTestAgent } from './testing-agent.js'
import type { FakeController, Received } from './testing-fake-controller.js'

const DAY = 86_400_000
const START_MS = Date.parse('2026-03-10T12:00:00Z')

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function limit(subscriberId: string, i: number): SubscriberLimit {
  return {
    subscriberId,
    address: `10.0.0.${i + 1}`,
    periodStart: new Date(START_MS - 10 * DAY).toISOString(),
    periodEnd: new Date(START_MS + 20 * DAY).toISOString(),
    limitBytes: 1e15,
    usedBytes: 0,
    limitVersion: 1,
    onCap: 'block',
  }
}

const sync = (subscribers: SubscriberLimit[], syncId?: string) => ({
  v: PROTOCOL_VERSION,
  type: 'sync',
  serverTimeMs: START_MS,
  subscribers,
  ...(syncId === undefined ? {} : { syncId }),
})

const ids = Array.from({ length: 6 }, (_, i) => `sub_${i}`)
const all = ids.map(limit)

async function startAgent() {
  let clockMs = START_MS
  const { controller, agent } = await startTestAgent({
    name: 'synced',
    onHello: (socket) => socket.send(JSON.stringify(sync(all))),
    driver: createSimulatedDriver({ bytesPerSecond: 10_000, now: () => clockMs }),
    deps: { now: () => clockMs },
    cleanup,
  })
  await controller.next('state')
  const poll = async (ms: number) => {
    clockMs += ms
    await agent.pollNow()
  }
  return { controller, agent, poll }
}

const entriesOf = (controller: FakeController, upTo = controller.received.length) =>
  controller.received
    .slice(0, upTo)
    .filter((m: Received) => m.type === 'usage')
    .flatMap((m: Received) => m.entries as Array<{ seq: number; subscriberId: string }>)

/** Seeds in which a dropped subscriber's entry was still unsent when `synced` went out. */
let unsentAtSynced = 0

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('synced: the agent says which journal seq bounds the subscribers a sync dropped', () => {
  it.each(Array.from({ length: 8 }, (_, i) => i + 1))(
    'every entry of a dropped subscriber, sent before or after, has a seq at or below it (seed %i)',
    async (seed) => {
      const random = seededRandom(seed)
      const { controller, agent, poll } = await startAgent()
      const ackReceived = () => {
        const seqs = entriesOf(controller).map((e) => e.seq)
        if (seqs.length > 0)
          controller.send({ v: PROTOCOL_VERSION, type: 'ack', epoch: agent.epoch, seq: Math.max(...seqs) })
      }
      // Polls with acks now and then: some batches in flight, some entries unsent and coalescing.
      for (let i = random.int(3, 25); i > 0; i--) {
        await poll(random.int(1, 5) * 1000)
        if (random.next() < 0.2) ackReceived()
        if (random.next() < 0.3) await wait(5)
      }
      const kept = all.filter(() => random.next() < 0.5)
      const dropped = ids.filter((id) => !kept.some((l) => l.subscriberId === id))
      if (dropped.length === 0) dropped.push(kept.pop()!.subscriberId)
      controller.send(sync(kept, `sync-${seed}`))
      const synced = await controller.next('synced')
      const sentBefore = controller.received.indexOf(synced)
      expect(synced).toMatchObject({ v: 1, type: 'synced', syncId: `sync-${seed}` })
      expect(synced.journalSeq).toBeGreaterThanOrEqual(
        Math.max(0, ...entriesOf(controller, sentBefore).map((e) => e.seq)),
      )
      expect(synced.journalSeq).toBeLessThanOrEqual(agent.snapshot().journal.lastSeq)

      // Everything is sent and acked after more polls: no entry of a dropped one lies above it.
      for (let i = random.int(1, 10); i > 0; i--) await poll(random.int(1, 5) * 1000)
      for (let i = 0; i < 100 && agent.snapshot().ackedSeq < agent.snapshot().journal.lastSeq; i++) {
        ackReceived()
        await wait(10)
      }
      expect(agent.snapshot().ackedSeq).toBe(agent.snapshot().journal.lastSeq)
      const late = entriesOf(controller).filter((e) => dropped.includes(e.subscriberId))
      for (const entry of late) expect(entry.seq).toBeLessThanOrEqual(synced.journalSeq)
      const sentSeqs = new Set(entriesOf(controller, sentBefore).map((e) => e.seq))
      if (late.some((e) => !sentSeqs.has(e.seq))) unsentAtSynced++
      expect(Object.keys(agent.snapshot().books).sort()).toEqual(kept.map((l) => l.subscriberId).sort())
    },
  )

  it('the seeds above include entries of a dropped subscriber unsent when synced went out', () => {
    expect(unsentAtSynced).toBeGreaterThan(0)
  })

  it('says nothing for a sync without a syncId or one it refused', async () => {
    const { controller, agent, poll } = await startAgent()
    await poll(1000)
    const bad = { ...all[0]!, periodEnd: new Date(START_MS - 10 * DAY + 60_000).toISOString() }
    controller.send(sync([bad], 'refused'))
    controller.send(sync(all.slice(1)))
    controller.send(sync(all.slice(2), 'taken'))
    expect(await controller.next('synced')).toMatchObject({ syncId: 'taken' })
    expect(controller.received.filter((m: Received) => m.type === 'synced')).toHaveLength(1)
    expect(Object.keys(agent.snapshot().books)).toHaveLength(4)
  })
})
