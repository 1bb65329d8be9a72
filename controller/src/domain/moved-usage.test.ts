import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { recordHello } from './agents.js'
import { ingestUsage } from './usage-ingest.js'

const GB = 1_000_000_000
const MINUTE = 60_000

async function fixture() {
  const t = await testApp()
  const { agent, subscriber } = await t.seed()
  const other = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  const ingestAs = (agentId: string, batch: object) =>
    t.store.transact((tx) => ingestUsage(tx, t.env, agentId, batch as Usage))
  const hello = (agentId: string, epoch: string) =>
    t.store.transact(async (tx) =>
      recordHello(tx, t.env, (await tx.agents.get(agentId))!, { agentVersion: '1', driver: 'sim', epoch }),
    )
  const move = (agentId: string) => t.call('PATCH', `/subscribers/${subscriber.id}`, { agentId })
  const usedBytes = () => t.data.subscribers[subscriber.id]!.usedBytes
  const anomaly = (agentId: string, reason: string) =>
    Object.values(t.data.usageAnomalies).find((a) => a.agentId === agentId && a.reason === reason)
  /** One entry dated `atMs` (the agent's clock). */
  const entry = (epoch: string, seq: number, down: number, atMs = t.clock.now()) => {
    const batch = usage(epoch, [{ seq, subscriberId: subscriber.id, down }])
    batch.entries[0]!.atMs = atMs
    return batch
  }
  return { ...t, agent, other, subscriber, ingestAs, hello, move, usedBytes, anomaly, entry }
}

describe('usage from the agent a subscriber moved away from', () => {
  it('books nothing under an epoch the old agent never used before the move (5 GB stays off the books)', async () => {
    const f = await fixture()
    await f.ingestAs(f.agent.id, f.entry('e-old', 1, 100))
    expect((await f.move(f.other.id)).status).toBe(200)
    const result = await f.ingestAs(f.agent.id, f.entry('e-brand-new', 1, 5 * GB))
    expect(result.ack).toEqual({ epoch: 'e-brand-new', seq: 1 })
    expect(f.usedBytes()).toBe(100)
    expect(f.anomaly(f.agent.id, 'moved_away')).toMatchObject({ bytes: 5 * GB, entries: 1 })
  })

  it('books late entries of its old epoch dated up to 5 minutes after the move, not later ones', async () => {
    const f = await fixture()
    await f.hello(f.agent.id, 'e-old') // said hello, nothing booked yet: the epoch is still its own
    const movedAtMs = f.clock.now()
    await f.move(f.other.id)
    f.clock.advance(9 * MINUTE) // it has not answered `synced` yet, and still may
    await f.ingestAs(f.agent.id, f.entry('e-old', 1, 10, movedAtMs - MINUTE))
    await f.ingestAs(f.agent.id, f.entry('e-old', 2, 20, movedAtMs + 5 * MINUTE))
    await f.ingestAs(f.agent.id, f.entry('e-old', 3, 40, movedAtMs + 5 * MINUTE + 1))
    await f.ingestAs(f.agent.id, f.entry('e-old', 4, 80, movedAtMs + 50 * MINUTE))
    expect(f.usedBytes()).toBe(30)
    expect(f.anomaly(f.agent.id, 'moved_away')).toMatchObject({ bytes: 120, entries: 2 })
    // The new agent books what it counts, whatever its epoch.
    await f.ingestAs(f.other.id, f.entry('e-new', 1, 1000))
    expect(f.usedBytes()).toBe(1030)
  })

  it('books nothing new 6 h after the move, whatever date the old agent puts on it (25 GB stays off the books)', async () => {
    const f = await fixture()
    await f.hello(f.agent.id, 'e-old')
    const movedAtMs = f.clock.now()
    await f.move(f.other.id)
    f.clock.advance(6 * 60 * MINUTE)
    for (let seq = 1; seq <= 5; seq++) await f.ingestAs(f.agent.id, f.entry('e-old', seq, 5 * GB, movedAtMs))
    expect(f.usedBytes()).toBe(0)
    expect(f.anomaly(f.agent.id, 'moved_away')).toMatchObject({ bytes: 25 * GB, entries: 5 })
  })

  it('moved back, the agent books as its own again', async () => {
    const f = await fixture()
    await f.move(f.other.id)
    await f.move(f.agent.id)
    await f.ingestAs(f.agent.id, f.entry('e-any', 1, 77))
    expect(f.usedBytes()).toBe(77)
  })
})

describe('epochs per agent', () => {
  it('keeps at most 8 live epochs; a 9th is held off until an old one is idle a week, and a retired one never books again', async () => {
    const f = await fixture()
    for (let i = 1; i <= 8; i++) await f.ingestAs(f.agent.id, f.entry(`e${i}`, 1, 1))
    expect(f.usedBytes()).toBe(8)
    await f.hello(f.agent.id, 'e9')
    await f.ingestAs(f.agent.id, f.entry('e9', 1, 1000))
    expect(f.usedBytes()).toBe(8)
    expect(f.anomaly(f.agent.id, 'epoch_limit')).toMatchObject({ bytes: 1000 })

    f.clock.advance(7 * 24 * 60 * MINUTE + 1)
    await f.ingestAs(f.agent.id, f.entry('e9', 2, 5))
    expect(f.usedBytes()).toBe(13)
    const marks = Object.values(f.data.usageMarks).filter((m) => m.agentId === f.agent.id)
    expect(marks.length).toBeLessThanOrEqual(8)
    // Whatever was retired to make room, a replay of it is not booked a second time.
    const retired = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'].filter(
      (e) => !marks.some((m) => m.epoch === e),
    )
    expect(retired.length).toBeGreaterThan(0)
    for (const epoch of retired) await f.ingestAs(f.agent.id, f.entry(epoch, 1, 1))
    expect(f.usedBytes()).toBe(13)
    expect(f.anomaly(f.agent.id, 'epoch_retired')).toMatchObject({ entries: retired.length })
  })
})
