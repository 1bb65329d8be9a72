/**
 * The usage lane: batches of several agents that wait together are booked in one transaction,
 * each keeping its own ack; a batch refused there (a revoked agent) is answered alone and the
 * others are booked all the same — each entry exactly once, whatever arrives together.
 */
import { Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import type { IngestResult } from '../domain/usage-ingest.js'
import type { Store } from '../store/store.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { UsageLane } from './usage-lane.js'

/** The app's store, counting its transactions and booking up to `entries` per transaction. */
function batching(store: Store, entries: number) {
  const counted = { transactions: 0 }
  const wrapped: Store = Object.create(store, {
    usageEntriesPerTransaction: { value: entries },
    transact: {
      value: <T>(fn: Parameters<Store['transact']>[0]) => {
        counted.transactions++
        return store.transact(fn) as Promise<T>
      },
    },
  })
  return { store: wrapped, counted }
}

async function setUp(agents: number) {
  const t = await testApp()
  const plan = (await t.call('POST', '/plans', { name: 'Basic', capBytes: 100e9, onCap: 'block' })).body
  const ids: { agentId: string; subscriberId: string }[] = []
  for (let i = 0; i < agents; i++) {
    const agent = (await t.call('POST', '/agents', { name: `tower-${i}` })).body
    const sub = (
      await t.call('POST', '/subscribers', {
        name: `S${i}`,
        login: `s${i}`,
        planId: plan.id,
        agentId: agent.id,
        address: `10.0.${i}.1`,
      })
    ).body
    ids.push({ agentId: agent.id, subscriberId: sub.id })
  }
  return { t, ids }
}

const parsed = (message: ReturnType<typeof usage>): Usage => Usage.parse(message)

describe('usage lane', () => {
  it('books batches that waited together in one transaction, each with its own ack', async () => {
    const { t, ids } = await setUp(3)
    const { store, counted } = batching(t.store, 1000)
    const lane = new UsageLane(store, t.env)
    const results = await Promise.all(
      ids.map(({ agentId, subscriberId }, i) =>
        lane.ingest(agentId, parsed(usage(`e${i}`, [{ seq: i + 1, subscriberId, down: 1000 * (i + 1) }]))),
      ),
    )
    // The first started alone; the two that came while it ran went together.
    expect(counted.transactions).toBe(2)
    expect(results.map((r) => r.ack)).toEqual([
      { epoch: 'e0', seq: 1 },
      { epoch: 'e1', seq: 2 },
      { epoch: 'e2', seq: 3 },
    ])
    for (const [i, { subscriberId }] of ids.entries())
      expect(t.data.subscribers[subscriberId]!.usedBytes).toBe(1000 * (i + 1))
  })

  it('never books a batch twice and never fails one for another, in random bursts', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = seededRandom(seed)
      const { t, ids } = await setUp(4)
      const { store } = batching(t.store, rnd.int(1, 6))
      const lane = new UsageLane(store, t.env)
      const revoked = rnd.next() < 0.5 ? ids[rnd.int(0, ids.length - 1)]!.agentId : undefined
      if (revoked) expect((await t.call('POST', `/agents/${revoked}/revoke`)).status).toBe(200)
      const sent = ids.map(() => 0)
      const booked = ids.map(() => new Map<number, number>())
      const waits: Promise<unknown>[] = []
      for (let round = 0; round < 30; round++) {
        const i = rnd.int(0, ids.length - 1)
        const { agentId, subscriberId } = ids[i]!
        // A new entry, or a replay of one sent before (the agent did not see its ack).
        const seq = sent[i]! > 0 && rnd.next() < 0.3 ? rnd.int(1, sent[i]!) : ++sent[i]!
        const down = booked[i]!.get(seq) ?? rnd.int(1, 10_000)
        booked[i]!.set(seq, down)
        const result = lane.ingest(agentId, parsed(usage('e', [{ seq, subscriberId, down }])))
        waits.push(
          result.then(
            (r: IngestResult) => {
              expect(agentId, `seed ${seed}`).not.toBe(revoked)
              expect(r.ack.seq, `seed ${seed}`).toBeGreaterThanOrEqual(seq)
            },
            (err: Error) => expect([agentId, err.message], `seed ${seed}`).toEqual([revoked, err.message]),
          ),
        )
        if (rnd.next() < 0.3) await new Promise((r) => setImmediate(r))
      }
      await Promise.all(waits)
      for (const [i, { agentId, subscriberId }] of ids.entries()) {
        const want = agentId === revoked ? 0 : [...booked[i]!.values()].reduce((a, b) => a + b, 0)
        expect(t.data.subscribers[subscriberId]!.usedBytes, `seed ${seed} agent ${i}`).toBe(want)
      }
    }
  })
})
