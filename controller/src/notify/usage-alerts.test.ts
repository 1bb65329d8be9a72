import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { createTopUp } from '../domain/topups.js'
import { ingestUsage } from '../domain/usage-ingest.js'
import { DocumentStore } from '../store/document-store.js'
import type { Store } from '../store/store.js'
import { type EntryInput, usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { highestCrossed } from './usage-alerts.js'

const CAP = 1000

async function fixture(plan: { notifyAtPercent?: number[]; onCap?: 'block' | 'throttle' } = {}) {
  const t = await testApp()
  t.env.channels = new Set(['email'])
  const created = await t.call('POST', '/plans', {
    name: 'Tiny',
    capBytes: CAP,
    onCap: plan.onCap ?? 'block',
    ...(plan.onCap === 'throttle' ? { throttleKbps: 256 } : {}),
    ...(plan.notifyAtPercent ? { notifyAtPercent: plan.notifyAtPercent } : {}),
    allowTiny: true,
  })
  expect(created.status).toBe(201)
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const addSubscriber = async (login: string) =>
    (
      await t.call('POST', '/subscribers', {
        name: login,
        login,
        email: `${login}@example.net`,
        planId: created.body.id,
        agentId: agent.id,
        address: `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
      })
    ).body
  const sub = await addSubscriber('alice')
  let store: Store = t.store
  let data = t.data
  const ingest = (epoch: string, entries: EntryInput[]) =>
    store.transact((tx) => ingestUsage(tx, t.env, agent.id, usage(epoch, entries) as Usage))
  /** A new store from the same data, as a restarted controller reads it. */
  const restart = () => {
    data = structuredClone(data)
    store = new DocumentStore(data, null)
  }
  const alerts = (subscriberId = sub.id) =>
    store.peek(async (tx) =>
      (await tx.notifications.forSubscriber(subscriberId))
        .filter((n) => n.id.startsWith('usage/'))
        .map((n) => ({ event: n.event, threshold: String(n.data.threshold), limit: n.data.limitBytes }))
        // Decided at the same (manual) clock time: in the order they can only have been decided in.
        .sort((a, b) => Number(a.limit) - Number(b.limit) || Number(a.threshold) - Number(b.threshold)),
    )
  /** An operator's top-up, in the current store. */
  const topUp = (bytes: number) =>
    store.transact((tx) =>
      createTopUp(tx, t.env, 'system', 'operator', sub.id, {
        bytes,
        price: { amount: 100, currency: 'USD' },
        chargeTo: 'invoice',
      }),
    )
  const emails = () => Object.values(t.data.deliveries).filter((d) => d.channel === 'email').length
  return { ...t, agent, sub, plan: created.body, ingest, restart, alerts, emails, addSubscriber, topUp }
}

describe('usage alerts', () => {
  it('a batch jumping from 40 % to 95 % sends only the 90 % alert, and 50 % never follows it', async () => {
    const f = await fixture({ notifyAtPercent: [50, 90, 100] })
    await f.ingest('e1', [{ seq: 1, subscriberId: f.sub.id, down: 400 }])
    expect(await f.alerts()).toEqual([])
    await f.ingest('e1', [{ seq: 2, subscriberId: f.sub.id, down: 550 }])
    expect(await f.alerts()).toEqual([{ event: 'usage.threshold', threshold: '90', limit: CAP }])
    await f.ingest('e1', [{ seq: 3, subscriberId: f.sub.id, down: 20 }])
    expect(await f.alerts()).toHaveLength(1)
    expect(f.emails()).toBe(1)
    await f.ingest('e1', [{ seq: 4, subscriberId: f.sub.id, down: 30 }])
    expect((await f.alerts()).map((a) => a.event)).toEqual(['usage.threshold', 'usage.cap_reached'])
    const cap = Object.values(f.data.notifications).find((n) => n.event === 'usage.cap_reached')!
    expect(cap.vars).toMatchObject({ percent: '100', used: expect.any(String) })
    expect(cap.data.threshold).toBe(100)
  })

  it('a plan edited to lower percentages brings no lower alert after a higher one', async () => {
    const f = await fixture({ notifyAtPercent: [50, 90, 100] })
    await f.ingest('e1', [{ seq: 1, subscriberId: f.sub.id, down: 920 }])
    expect((await f.call('PATCH', `/plans/${f.plan.id}`, { notifyAtPercent: [50, 95] })).status).toBe(200)
    await f.ingest('e1', [{ seq: 2, subscriberId: f.sub.id, down: 10 }]) // 93 %: 50 is crossed, 95 not
    expect((await f.alerts()).map((a) => a.threshold)).toEqual(['90'])
    await f.ingest('e1', [{ seq: 3, subscriberId: f.sub.id, down: 20 }]) // 95 %
    expect((await f.alerts()).map((a) => a.threshold)).toEqual(['90', '95'])
  })

  it('a throttling plan says usage.throttled at 100 %', async () => {
    const f = await fixture({ onCap: 'throttle' })
    await f.ingest('e1', [{ seq: 1, subscriberId: f.sub.id, down: 5000 }])
    expect(await f.alerts()).toEqual([{ event: 'usage.throttled', threshold: '100', limit: CAP }])
  })

  it('is decided once across repeated and reordered batches, new epochs and a restart', async () => {
    const f = await fixture()
    const e = (seq: number, down: number) => ({ seq, subscriberId: f.sub.id, down })
    await f.ingest('e1', [e(1, 300), e(2, 300)])
    await f.ingest('e1', [e(3, 250)]) // 85 %
    await f.ingest('e1', [e(1, 300), e(2, 300), e(3, 250)])
    await f.ingest('e1', [e(3, 250), e(2, 300)])
    expect(await f.alerts()).toEqual([{ event: 'usage.threshold', threshold: '80', limit: CAP }])
    await f.ingest('e2', [e(1, 10)]) // the agent restarted with a new journal: 86 %
    f.restart()
    await f.ingest('e2', [e(1, 10), e(2, 10)]) // 87 %
    await f.ingest('e3', [e(1, 1)])
    expect(await f.alerts()).toHaveLength(1)
    await f.ingest('e3', [e(2, 200)])
    expect((await f.alerts()).map((a) => a.threshold)).toEqual(['80', '100'])
    f.restart()
    await f.ingest('e3', [e(1, 1), e(2, 200), e(3, 5)])
    expect((await f.alerts()).map((a) => a.threshold)).toEqual(['80', '100'])
  })

  it('a top-up gives a new allowance: its alerts come again', async () => {
    const f = await fixture()
    await f.ingest('e1', [{ seq: 1, subscriberId: f.sub.id, down: 1000 }])
    await f.topUp(1000)
    await f.ingest('e1', [{ seq: 2, subscriberId: f.sub.id, down: 700 }]) // 85 % of 2000
    await f.ingest('e1', [{ seq: 3, subscriberId: f.sub.id, down: 300 }]) // 100 %
    expect(await f.alerts()).toEqual([
      { event: 'usage.cap_reached', threshold: '100', limit: 1000 },
      { event: 'usage.threshold', threshold: '80', limit: 2000 },
      { event: 'usage.cap_reached', threshold: '100', limit: 2000 },
    ])
  })

  it('a new period starts the alerts again', async () => {
    const f = await fixture()
    await f.ingest('e1', [{ seq: 1, subscriberId: f.sub.id, down: 900 }])
    f.clock.set(Date.parse('2026-05-20T12:00:00Z'))
    const periodStart = new Date(f.clock.now()).toISOString()
    await f.ingest('e1', [{ seq: 2, subscriberId: f.sub.id, down: 850, periodStart }])
    expect((await f.alerts()).map((a) => a.threshold)).toEqual(['80', '80'])
  })

  it('none for a suspended or deleted subscriber, nor for a plan without alerts', async () => {
    const f = await fixture()
    const bob = await f.addSubscriber('bob')
    expect((await f.call('POST', `/subscribers/${f.sub.id}/suspend`, { reason: 'unpaid' })).status).toBe(200)
    expect((await f.call('DELETE', `/subscribers/${bob.id}`)).status).toBe(200)
    await f.ingest('e1', [
      { seq: 1, subscriberId: f.sub.id, down: 5000 },
      { seq: 2, subscriberId: bob.id, down: 5000 },
    ])
    expect(Object.keys(f.data.notifications)).toEqual([])

    const quiet = await fixture({ notifyAtPercent: [] })
    await quiet.ingest('e1', [{ seq: 1, subscriberId: quiet.sub.id, down: 5000 }])
    expect(await quiet.alerts()).toEqual([])
  })

  it('many subscribers crossing in one batch each get their one alert', async () => {
    const f = await fixture()
    const subs = [
      f.sub,
      ...(await Promise.all(Array.from({ length: 60 }, (_, i) => f.addSubscriber(`s${i}`)))),
    ]
    const entries = subs.map((s, i) => ({ seq: i + 1, subscriberId: s.id, down: 800 + (i % 3) * 100 }))
    await f.ingest('e1', entries)
    await f.ingest('e1', entries)
    const decided = Object.values(f.data.notifications)
    expect(decided).toHaveLength(subs.length)
    expect(new Set(decided.map((n) => n.subscriberId)).size).toBe(subs.length)
    expect(f.emails()).toBe(subs.length)
  }, 60_000)

  it('random usage walks: the alerts are the distinct highest thresholds crossed at batch ends', async () => {
    for (let run = 0; run < 12; run++) {
      const thresholds = [...new Set(Array.from({ length: 1 + rand(4) }, () => 1 + rand(100)))]
      const f = await fixture({ notifyAtPercent: thresholds })
      const sorted = [...thresholds].sort((a, b) => a - b)
      /** Per allowance, the highest threshold crossed at each batch end. */
      const expected = new Map<number, Set<number>>()
      let used = 0
      let limit = CAP
      let seq = 0
      const sent: EntryInput[] = []
      let epoch = 'e1'
      for (let step = 0; step < 25; step++) {
        const roll = rand(10)
        if (roll === 0) {
          const bytes = 100 + rand(900)
          await f.topUp(bytes)
          limit += bytes
        } else if (roll === 1 && sent.length > 0) {
          // A replay of something already booked books nothing.
          await f.ingest(epoch, shuffle(sent.slice(-1 - rand(sent.length))))
        } else if (roll === 2 && Number(epoch.slice(1)) < 20) {
          // A new journal (at most a handful, as agent-epochs.ts allows).
          epoch = `e${Number(epoch.slice(1)) + 4}`
          seq = 0
          sent.length = 0
          if (rand(2) === 0) f.restart()
        } else {
          const batch = Array.from({ length: 1 + rand(3) }, () => ({
            seq: ++seq,
            subscriberId: f.sub.id,
            down: rand(Math.ceil(limit / 8)),
          }))
          await f.ingest(epoch, batch)
          sent.push(...batch)
          used += batch.reduce((sum, e) => sum + e.down, 0)
          // Only a batch that books something decides; a top-up or a replay alone does not.
          const h = sorted.filter((p) => used * 100 >= limit * p).at(-1)
          if (h !== undefined) expected.set(limit, new Set([...(expected.get(limit) ?? []), h]))
        }
      }
      const got = new Map<number, number[]>()
      for (const a of await f.alerts()) {
        got.set(Number(a.limit), [...(got.get(Number(a.limit)) ?? []), Number(a.threshold)])
      }
      const want = new Map([...expected].map(([l, s]) => [l, [...s].sort((a, b) => a - b)]))
      const gotSorted = new Map([...got].map(([l, s]) => [l, [...s].sort((a, b) => a - b)]))
      expect(gotSorted, `thresholds ${sorted.join(',')}`).toEqual(want)
    }
  }, 120_000)
})

describe('highestCrossed', () => {
  it('agrees with exact arithmetic on random figures, at the edges too', () => {
    for (let i = 0; i < 5000; i++) {
      const limit = [rand(200), rand(1e12), rand(Number.MAX_SAFE_INTEGER)][rand(3)]!
      const p = 1 + rand(100)
      const atEdge = Math.ceil((limit * p) / 100)
      const near = Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, atEdge + rand(3) - 1))
      const used = rand(2) === 0 ? near : rand(Number.MAX_SAFE_INTEGER)
      const exact = [p].filter((x) => BigInt(used) * 100n >= BigInt(limit) * BigInt(x)).at(-1)
      expect(highestCrossed([p], used, limit)).toBe(exact)
    }
  })
})

const rand = (n: number) => Math.floor(Math.random() * n)

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = rand(i + 1)
    ;[list[i], list[j]] = [list[j]!, list[i]!]
  }
  return list
}
