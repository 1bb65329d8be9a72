import type { Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { ingestUsage } from './usage-ingest.js'

const random = (seed: number) => seededRandom(seed).next

async function fixture() {
  const t = await testApp()
  const { plan, agent, subscriber } = await t.seed()
  const other = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  const stranger = (
    await t.call('POST', '/subscribers', {
      name: 'Zed',
      login: 'zed',
      planId: plan.id,
      agentId: other.id,
      address: '10.9.9.9',
    })
  ).body
  const ingest = (batch: object) => t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch as Usage))
  const usedBytes = (id: string) => t.data.subscribers[id]!.usedBytes
  const anomalies = () => Object.values(t.data.usageAnomalies).filter((a) => a.agentId === agent.id)
  return { ...t, agent, subscriber, stranger, ingest, usedBytes, anomalies }
}

describe('usage the controller cannot book (a restored backup, a subscriber deleted or elsewhere)', () => {
  it('books the known entries, acks the whole batch, and keeps the rest as anomalies', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const f = await fixture()
      const next = random(seed)
      const want = { booked: 0, unknown: new Map<string, number>(), foreign: 0, foreignEntries: 0 }
      let seq = 0
      const batches = []
      for (let b = 0; b < 6; b++) {
        const entries = []
        for (let i = 0, n = 1 + Math.floor(next() * 20); i < n; i++) {
          const down = Math.floor(next() * 1e6)
          const pick = next()
          let subscriberId: string
          if (pick < 0.5) {
            subscriberId = f.subscriber.id
            want.booked += down
          } else if (pick < 0.8) {
            subscriberId = `sub_gone${Math.floor(next() * 3)}`
            want.unknown.set(subscriberId, (want.unknown.get(subscriberId) ?? 0) + down)
          } else {
            subscriberId = f.stranger.id
            want.foreign += down
            want.foreignEntries++
          }
          entries.push({ seq: ++seq, subscriberId, down })
        }
        batches.push(usage('e1', entries))
      }
      for (const batch of batches) {
        const result = await f.ingest(batch)
        expect(result.ack).toEqual({ epoch: 'e1', seq: batch.entries.at(-1)!.seq })
      }
      // Replays (a lost ack) change nothing.
      for (const batch of batches) await f.ingest(batch)

      expect(f.usedBytes(f.subscriber.id)).toBe(want.booked)
      expect(f.usedBytes(f.stranger.id)).toBe(0)
      const rows = f.anomalies()
      for (const [id, bytes] of want.unknown) {
        expect(rows.find((r) => r.subscriberId === id)).toMatchObject({ reason: 'unknown_subscriber', bytes })
      }
      if (want.foreignEntries > 0) {
        expect(rows.find((r) => r.subscriberId === f.stranger.id)).toMatchObject({
          reason: 'foreign_subscriber',
          bytes: want.foreign,
          entries: want.foreignEntries,
        })
      }
    }
  })

  it('a flood of made-up subscriber ids keeps a bounded number of rows, and every byte on record', async () => {
    const f = await fixture()
    let seq = 0
    let total = 0
    for (let b = 0; b < 5; b++) {
      const entries = Array.from({ length: 200 }, () => {
        total += 3
        return { seq: ++seq, subscriberId: `sub_fake${seq}`, down: 3 }
      })
      await f.ingest(usage('e1', entries))
    }
    const rows = f.anomalies()
    expect(rows.length).toBeLessThanOrEqual(101)
    expect(rows.reduce((sum, r) => sum + r.bytes, 0)).toBe(total)
    expect(rows.reduce((sum, r) => sum + r.entries, 0)).toBe(1000)
  })
})
