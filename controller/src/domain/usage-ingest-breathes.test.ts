/**
 * A usage batch of thousands of subscribers lets the event loop turn while it is booked (see
 * LoopBreather), and is booked all the same: the loop's other work sees no half-booked batch.
 */
import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { agent, plan, subscriber } from '../store/contract/rows.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { ingestUsage } from './usage-ingest.js'

const COUNT = 3000

describe('a large usage batch', () => {
  it('lets timers run while it is booked, and a read meanwhile sees none of it or all', {
    timeout: 60_000,
  }, async () => {
    const t = await testApp()
    const ids = Array.from({ length: COUNT }, (_, i) => `sub_${String(i).padStart(5, '0')}`)
    await t.store.transact(async (tx) => {
      await tx.plans.insert(plan('pln_basic', 1e15))
      await tx.agents.insert(agent('agt_1'))
      for (const [i, id] of ids.entries()) {
        await tx.subscribers.insert(
          subscriber(id, { address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, createdAtMs: 0 }),
        )
      }
    })
    const batch = usage(
      'e1',
      ids.map((subscriberId, i) => ({ seq: i + 1, subscriberId, down: 1000 })),
    ) as Usage
    let ticks = 0
    const reads: number[] = []
    const timer = setInterval(() => {
      // A read queued meanwhile waits for the whole batch: it sees all of it booked.
      if (ticks++ < 3)
        void t.store
          .peek(async (tx) => (await tx.subscribers.list()).filter((s) => s.usedBytes > 0).length)
          .then((n) => reads.push(n))
    }, 1)
    try {
      await t.store.transact(async (tx) => {
        await ingestUsage(tx, t.env, 'agt_1', batch)
        // Still inside the transaction: the timer ran while the batch was being booked.
        expect(ticks).toBeGreaterThan(0)
      })
    } finally {
      clearInterval(timer)
    }
    await t.store.peek(async () => {})
    expect(reads.length).toBeGreaterThan(0)
    for (const n of reads) expect([0, COUNT]).toContain(n)
    expect(reads).toContain(COUNT)
    expect(Object.values(t.data.subscribers).every((s) => s.usedBytes === 1000)).toBe(true)
  })
})
