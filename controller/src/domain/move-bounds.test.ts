import type { Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { recordHello } from './agents.js'
import { MAX_SYNCED_AHEAD, noteSyncSent, recordSynced } from './move-bounds.js'
import { ingestUsage } from './usage-ingest.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

async function fixture() {
  const t = await testApp()
  const { agent, subscriber } = await t.seed()
  const other = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  const ingest = (batch: Usage) => t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch))
  const hello = (epoch: string) =>
    t.store.transact(async (tx) =>
      recordHello(tx, t.env, (await tx.agents.get(agent.id))!, { agentVersion: '1', driver: 'sim', epoch }),
    )
  const move = async () => {
    expect((await t.call('PATCH', `/subscribers/${subscriber.id}`, { agentId: other.id })).status).toBe(200)
  }
  const syncSent = () => t.store.transact((tx) => noteSyncSent(tx, agent.id, t.clock.now()))
  const synced = (epoch: string, seq: number, sentAtMs = t.clock.now(), given: string[] = []) =>
    t.store.transact((tx) => recordSynced(tx, agent.id, { sentAtMs, given: new Set(given) }, epoch, seq))
  const entries = (epoch: string, list: Array<{ seq: number; down: number; atMs: number }>) => {
    const batch = usage(
      epoch,
      list.map((e) => ({ seq: e.seq, subscriberId: subscriber.id, down: e.down })),
    ) as Usage
    batch.entries.forEach((e, i) => {
      e.atMs = list[i]!.atMs
    })
    return batch
  }
  const usedBytes = () => t.data.subscribers[subscriber.id]!.usedBytes
  const movedAway = () =>
    Object.values(t.data.usageAnomalies).find((a) => a.agentId === agent.id && a.reason === 'moved_away')
  return { ...t, agent, subscriber, ingest, hello, move, syncSent, synced, entries, usedBytes, movedAway }
}

describe('what a former agent can book for a subscriber that moved away', () => {
  it('an agent that never answers synced books by date until 10 minutes after the sync without the subscriber, then nothing new', async () => {
    const f = await fixture()
    await f.hello('e-a')
    await f.ingest(f.entries('e-a', [{ seq: 1, down: 100, atMs: f.clock.now() }]))
    const movedAtMs = f.clock.now()
    await f.move()
    f.clock.advance(HOUR) // offline until now: the first sync without the subscriber goes out
    await f.syncSent()
    f.clock.advance(10 * MINUTE)
    await f.ingest(f.entries('e-a', [{ seq: 2, down: 10, atMs: movedAtMs - MINUTE }]))
    expect(f.usedBytes()).toBe(110)
    f.clock.advance(1)
    await f.ingest(f.entries('e-a', [{ seq: 3, down: 1000, atMs: movedAtMs - MINUTE }]))
    await f.ingest(f.entries('e-a', [{ seq: 4, down: 1000, atMs: movedAtMs }]))
    expect(f.usedBytes()).toBe(110)
    expect(f.movedAway()).toMatchObject({ bytes: 2000, entries: 2 })
    // A later sync does not open a new window.
    await f.syncSent()
    await f.ingest(f.entries('e-a', [{ seq: 5, down: 1000, atMs: movedAtMs }]))
    expect(f.usedBytes()).toBe(110)
  })

  it.each(Array.from({ length: 12 }, (_, i) => i + 1))(
    'with a synced bound, books exactly the entries up to it, once, whatever their dates and batching (seed %i)',
    async (seed) => {
      const random = seededRandom(seed)
      const f = await fixture()
      await f.ingest(f.entries('e-z', [{ seq: 1, down: 1, atMs: f.clock.now() }])) // an older epoch
      await f.hello('e-a')
      const own = random.int(0, 3)
      let seq = 0
      for (; seq < own; ) {
        seq++
        await f.ingest(f.entries('e-a', [{ seq, down: 7, atMs: f.clock.now() }]))
      }
      const movedAtMs = f.clock.now()
      await f.move()
      await f.syncSent()
      f.clock.advance(random.int(0, 5) * MINUTE)
      const bound = own + random.int(0, 6)
      await f.synced('e-a', bound)
      f.clock.advance(random.int(0, 48) * HOUR)
      const late = Array.from({ length: 12 }, () => ({
        seq: ++seq,
        down: random.int(1, 1_000_000),
        atMs: movedAtMs + random.int(-HOUR, 10 * HOUR),
      }))
      const expected = 1 + own * 7 + late.filter((e) => e.seq <= bound).reduce((n, e) => n + e.down, 0)
      const sent: Usage[] = []
      for (let i = 0; i < late.length; ) {
        const size = random.int(1, 4)
        const batch = f.entries('e-a', late.slice(i, i + size))
        i += size
        sent.push(batch)
        await f.ingest(batch)
        // Replays of anything sent before change nothing.
        if (random.next() < 0.4) await f.ingest(sent[random.int(0, sent.length - 1)]!)
      }
      // The older epoch writes nothing new once it was left behind.
      await f.ingest(f.entries('e-z', [{ seq: 2, down: 999, atMs: movedAtMs }]))
      expect(f.usedBytes()).toBe(expected)
    },
  )

  it('a synced for a sync read before the move, or one that still listed the subscriber, sets no bound', async () => {
    const f = await fixture()
    await f.hello('e-a')
    const before = f.clock.now()
    f.clock.advance(1)
    const movedAtMs = f.clock.now()
    await f.move()
    await f.synced('e-a', 0, before)
    await f.synced('e-a', 0, f.clock.now(), [f.subscriber.id])
    expect(f.data.subscribers[f.subscriber.id]!.moves?.at(-1)?.bound).toBeUndefined()
    await f.ingest(f.entries('e-a', [{ seq: 1, down: 50, atMs: movedAtMs }]))
    expect(f.usedBytes()).toBe(50)
  })

  it('a synced seq far above the high-water mark is cut to MAX_SYNCED_AHEAD above it', async () => {
    const f = await fixture()
    await f.hello('e-a')
    await f.ingest(f.entries('e-a', [{ seq: 3, down: 1, atMs: f.clock.now() }]))
    const movedAtMs = f.clock.now()
    await f.move()
    await f.synced('e-a', Number.MAX_SAFE_INTEGER)
    expect(f.data.subscribers[f.subscriber.id]!.moves?.at(-1)?.bound).toEqual({
      epoch: 'e-a',
      seq: 3 + MAX_SYNCED_AHEAD,
    })
    const last = 3 + MAX_SYNCED_AHEAD
    await f.ingest(f.entries('e-a', [{ seq: last, down: 10, atMs: movedAtMs }]))
    await f.ingest(f.entries('e-a', [{ seq: last + 1, down: 1000, atMs: movedAtMs }]))
    expect(f.usedBytes()).toBe(11)
  })
})
