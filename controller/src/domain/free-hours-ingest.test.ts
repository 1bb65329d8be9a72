/**
 * Usage in a plan's free hours at the controller: booked by the same rule the agent enforces
 * (drawn outside the windows only), so it neither fills the allowance nor crosses an alert.
 */
import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { limitsFor } from './limits.js'
import { createPlan } from './plans.js'
import { ingestUsage } from './usage-ingest.js'

const CAP = 10_000
const HOUR = 3_600_000
const NOW = Date.parse('2026-03-10T12:00:00Z')
const PERIOD_START = Date.parse('2026-03-01T00:00:00Z')

async function fixture() {
  // London is on GMT until the 29th: the window 11:00–13:00 is 11:00–13:00 UTC every day here.
  const t = await testApp({ nowMs: NOW, timeZone: 'Europe/London' })
  t.env.channels = new Set(['email'])
  const plan = await t.store.transact((tx) =>
    createPlan(tx, t.env, 'system', {
      name: 'Nights free',
      capBytes: CAP,
      onCap: 'block',
      notifyAtPercent: [50, 90],
      freeHours: [{ from: '11:00', to: '13:00' }],
    }),
  )
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const sub = (
    await t.call('POST', '/subscribers', {
      name: 'Alice',
      login: 'alice',
      email: 'alice@example.net',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.5',
    })
  ).body
  let seq = 0
  const ingest = (entries: Array<{ down: number; up?: number; atMs: number }>) =>
    t.store.transact((tx) =>
      ingestUsage(tx, t.env, agent.id, {
        v: PROTOCOL_VERSION,
        type: 'usage',
        epoch: 'e1',
        entries: entries.map((e) => ({
          seq: ++seq,
          subscriberId: sub.id,
          periodStart: new Date(PERIOD_START).toISOString(),
          down: e.down,
          up: e.up ?? 0,
          atMs: e.atMs,
        })),
      } as Usage),
    )
  const usedBytes = () => t.data.subscribers[sub.id]!.usedBytes
  const alerts = () => Object.values(t.data.notifications).filter((n) => n.id.startsWith('usage/'))
  return { ...t, sub, ingest, usedBytes, alerts }
}

describe('free hours at the controller', () => {
  it('the subscriber carries the windows the agent is given', async () => {
    const f = await fixture()
    const windows = f.data.subscribers[f.sub.id]!.limitTerms?.freeWindows ?? []
    expect(windows.length).toBeGreaterThan(28)
    expect(windows).toContainEqual({ startMs: NOW - HOUR, endMs: NOW + HOUR })
  })

  it('books usage inside a window without drawing it: no allowance used, no alert', async () => {
    const f = await fixture()
    const windowStart = NOW - HOUR
    // Five caps' worth inside today's window, the last byte read exactly at its end.
    await f.ingest([
      { down: 4 * CAP, up: CAP / 2, atMs: windowStart + 1 },
      { down: CAP / 2, atMs: windowStart + 2 * HOUR },
    ])
    expect(f.usedBytes()).toBe(0)
    expect(f.alerts()).toHaveLength(0)
    // A reading at the window's start covers the time before it: drawn.
    await f.ingest([{ down: CAP / 2, atMs: windowStart }])
    expect(f.usedBytes()).toBe(CAP / 2)
    expect(f.alerts().map((n) => String(n.data.threshold))).toEqual(['50'])
  })

  it('draws exactly the bytes read outside the windows (randomized against an hour-of-day reference)', async () => {
    const random = seededRandom(0xf7ee)
    for (let round = 0; round < 5; round++) {
      const f = await fixture()
      let expected = 0
      const entries = Array.from({ length: 60 }, () => {
        // Whole minutes, some exactly on 11:00 and 13:00.
        const atMs = PERIOD_START + random.int(1, (NOW - PERIOD_START) / 60_000) * 60_000
        const down = random.int(0, 100)
        const up = random.int(0, 20)
        const day = atMs - (atMs % (24 * HOUR))
        const free = atMs > day + 11 * HOUR && atMs <= day + 13 * HOUR
        if (!free) expected += down + up
        return { down, up, atMs }
      })
      for (let i = 0; i < entries.length; i += 7) await f.ingest(entries.slice(i, i + 7))
      expect(f.usedBytes(), `round ${round}`).toBe(expected)
    }
  })
})

describe('free hours of another period than the terms on the subscriber', () => {
  async function acrossBoundary() {
    const t = await testApp({ nowMs: NOW })
    const plan = await t.store.transact((tx) =>
      createPlan(tx, t.env, 'system', {
        name: 'Noon free',
        capBytes: CAP,
        onCap: 'block',
        freeHours: [{ from: '11:00', to: '13:00' }],
      }),
    )
    const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
    const sub = (
      await t.call('POST', '/subscribers', {
        name: 'Bo',
        login: 'bo',
        planId: plan.id,
        agentId: agent.id,
        address: '10.0.0.6',
        billingDay: 1,
      })
    ).body
    let seq = 0
    const ingest = (periodStart: string, down: number, at: string) =>
      t.store.transact((tx) =>
        ingestUsage(tx, t.env, agent.id, {
          v: PROTOCOL_VERSION,
          type: 'usage',
          epoch: 'e1',
          entries: [{ seq: ++seq, subscriberId: sub.id, periodStart, down, up: 0, atMs: Date.parse(at) }],
        } as Usage),
      )
    return { ...t, sub, ingest }
  }
  const march = '2026-03-01T00:00:00.000Z'
  const april = '2026-04-01T00:00:00.000Z'

  it("late usage of the old period read in that period's free hours draws nothing, as the agent counted it", async () => {
    const f = await acrossBoundary()
    await f.ingest(march, 1000, '2026-03-10T10:00:00Z')
    f.clock.set(Date.parse('2026-04-02T08:00:00Z'))
    // The new period's terms are on the subscriber (the refresher ran at the boundary).
    await f.store.transact((tx) => limitsFor(tx, f.env, [f.sub.id]))
    expect(f.data.subscribers[f.sub.id]!.limitTerms?.periodStartMs).toBe(Date.parse(april))
    await f.ingest(march, 5000, '2026-03-31T12:00:00Z')
    expect(f.data.usagePeriods[`${f.sub.id}/${march}`]!.usedBytes).toBe(1000)
  })
})
