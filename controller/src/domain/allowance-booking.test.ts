/**
 * Buckets as the controller books them: each reading draws at the time it was read, in seq order;
 * an expired top-up keeps what it took; a new top-up compensates or forgives over-usage; a reversed
 * top-up's draws go back to the other buckets; free-hour bytes are counted and drawn from nothing.
 */
import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import type { Subscriber } from '../store/entities.js'
import { testApp } from '../testing/test-app.js'
import { bucketViews } from './allowance-view.js'
import { limitsFor } from './limits.js'
import { removeTopUpData } from './topup-reversal.js'
import { createTopUp } from './topups.js'
import { ingestUsage } from './usage-ingest.js'

const GB = 1e9
type App = Awaited<ReturnType<typeof testApp>>

async function setUp() {
  const t = await testApp({ nowMs: Date.parse('2026-03-10T12:00:00Z') })
  const { subscriber, agent } = await t.seed()
  let seq = 0
  /** Readings `[read at, down, up?]`, in seq order, of March. */
  const report = (readings: [string, number, number?][]) => {
    const entries = readings.map(([at, down, up]) => ({
      seq: ++seq,
      subscriberId: subscriber.id,
      periodStart: '2026-03-01T00:00:00.000Z',
      down,
      up: up ?? 0,
      atMs: Date.parse(at),
    }))
    const batch = { v: PROTOCOL_VERSION, type: 'usage', epoch: 'e1', entries } as Usage
    return t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch))
  }
  return { t, subscriber, report }
}

async function look(t: App, id: string) {
  return t.store.transact(async (tx) => {
    const sub = (await tx.subscribers.get(id))!
    const plan = (await tx.plans.get(sub.planId))!
    const [limit] = await limitsFor(tx, t.env, [id])
    const views = bucketViews(sub, plan, await tx.topUps.forSubscriber(id), t.clock.now(), t.env.timeZone)
    const buckets = views.map(
      (b) => `${b.kind} ${b.sizeBytes / GB}/${b.usedBytes / GB}${b.expired ? ' expired' : ''}`,
    )
    return { sub, limit: limit!.limitBytes, used: limit!.usedBytes, buckets }
  })
}

const topUp = (t: App, sub: Subscriber | { id: string }, bytes: number, more: object = {}) =>
  t.store.transact((tx) =>
    createTopUp(tx, t.env, 'user:test', 'operator', sub.id, {
      bytes,
      price: { amount: 100, currency: 'USD' },
      chargeTo: 'invoice',
      ...more,
    }),
  )

describe('booking into buckets', () => {
  it('draws each reading when it was read; an expired top-up keeps only what it took', async () => {
    const { t, subscriber, report } = await setUp()
    const bought = await topUp(t, subscriber, 5 * GB, { validityDays: 1 })
    t.clock.set(Date.parse('2026-03-11T11:00:00Z'))
    // Read before the top-up was bought: the plan, then nothing (over). Read after: the top-up.
    await report([
      ['2026-03-10T11:00:00Z', 101 * GB],
      ['2026-03-11T10:00:00Z', 2 * GB],
    ])
    let s = await look(t, subscriber.id)
    expect(s.buckets).toEqual(['plan 100/100', 'topup 5/2'])
    expect(s.sub.allowance?.overBytes).toBe(1 * GB)
    expect([s.limit, s.used]).toEqual([105 * GB, 103 * GB])

    // The top-up expires: 3 GB unused are lost, the 2 GB it gave stay in the limit.
    t.clock.set(bought.topUp.expiresAtMs)
    s = await look(t, subscriber.id)
    expect(s.buckets).toEqual(['plan 100/100', 'topup 5/2 expired'])
    expect([s.limit, s.used]).toEqual([102 * GB, 103 * GB])
    // A reading from before the expiry, booked after it, takes nothing from the expired top-up.
    await report([['2026-03-11T11:30:00Z', 1 * GB]])
    s = await look(t, subscriber.id)
    expect(s.buckets).toEqual(['plan 100/100', 'topup 5/2 expired'])
    expect([s.limit, s.used]).toEqual([102 * GB, 104 * GB])
  })

  it('a new top-up takes the over-usage of the moment, or forgives it', async () => {
    const { t, subscriber, report } = await setUp()
    await report([['2026-03-10T11:00:00Z', 103 * GB]])
    await topUp(t, subscriber, 2 * GB)
    let s = await look(t, subscriber.id)
    // 3 GB over, 2 GB compensated: still 1 GB past the limit.
    expect(s.buckets).toEqual(['plan 100/100', 'topup 2/2'])
    expect([s.limit, s.used]).toEqual([102 * GB, 103 * GB])

    await topUp(t, subscriber, 5 * GB, { compensateOverUsage: false })
    s = await look(t, subscriber.id)
    // The last 1 GB over is forgiven: the 5 GB start whole.
    expect(s.buckets).toEqual(['plan 100/100', 'topup 2/2', 'topup 5/0'])
    expect(s.limit - s.used).toBe(5 * GB)
    await report([['2026-03-10T12:30:00Z', 1 * GB]])
    s = await look(t, subscriber.id)
    expect(s.buckets).toEqual(['plan 100/100', 'topup 2/2', 'topup 5/1'])
    expect(s.limit - s.used).toBe(4 * GB)
  })

  it("a reversed top-up's draws go back to the other buckets in order", async () => {
    const { t, subscriber, report } = await setUp()
    await topUp(t, subscriber, 5 * GB)
    await topUp(t, subscriber, 10 * GB, { validityDays: 20 })
    await report([['2026-03-10T12:30:00Z', 103 * GB]])
    let s = await look(t, subscriber.id)
    // Within top-ups the one expiring soonest goes first: the 10 GB one ends before the period.
    expect(s.buckets).toEqual(['plan 100/100', 'topup 10/3', 'topup 5/0'])
    const ten = (await t.store.transact((tx) => tx.topUps.forSubscriber(subscriber.id))).find(
      (u) => u.bytes === 10 * GB,
    )!
    await t.store.transact((tx) => removeTopUpData(tx, t.env, ten))
    s = await look(t, subscriber.id)
    expect(s.buckets).toEqual(['plan 100/100', 'topup 5/3'])
    expect([s.limit, s.used]).toEqual([105 * GB, 103 * GB])
  })

  it('free-hour bytes are counted apart and drawn from nothing; the direction decides what draws', async () => {
    const { t, subscriber, report } = await setUp()
    // The terms the agent enforces (the free-hours part builds these windows from the plan).
    await t.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(subscriber.id))!
      await tx.subscribers.update({
        ...sub,
        limitTerms: {
          ...sub.limitTerms!,
          count: 'down',
          freeWindows: [
            { startMs: Date.parse('2026-03-10T00:00:00Z'), endMs: Date.parse('2026-03-10T06:00:00Z') },
          ],
        },
      })
    })
    await report([
      ['2026-03-10T03:00:00Z', 4 * GB, 1 * GB],
      ['2026-03-10T07:00:00Z', 2 * GB, 1 * GB],
    ])
    const s = await look(t, subscriber.id)
    expect(s.sub.allowance).toMatchObject({ freeBytes: 4 * GB, drawn: { plan: 2 * GB }, overBytes: 0 })
    expect(s.used).toBe(2 * GB)
  })
})
