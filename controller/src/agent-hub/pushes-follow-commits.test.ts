/**
 * Every commit that changes what an agent enforces for a subscriber is followed by a push: a
 * random walk of operator API calls, usage reports (with the auto top-up they trigger) and time
 * passing, comparing each subscriber's limit before and after every step with what the hub was told.
 */

import { silentLogger } from '@capd/log'
import type { Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { limitTerms } from '../domain/limits.js'
import { currentPeriod } from '../domain/usage.js'
import { ingestUsage } from '../domain/usage-ingest.js'
import type { Subscriber } from '../store/entities.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { LimitRefresher } from './limit-refresher.js'

/** A seeded generator, so a failing walk can be replayed from its seed. */
function random(seed: number) {
  const { next } = seededRandom(seed)
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  return { next, int, pick }
}

async function walk(seed: number, steps: number) {
  const t = await testApp()
  const rnd = random(seed)
  const { plan, topUpPlan, agent } = await t.seed()
  const agents: string[] = [agent.id, (await t.call('POST', '/agents', { name: 'tower-2' })).body.id]
  const plans: string[] = [plan.id]
  const pushed = new Set<string>()
  const push = t.hub.limitsChanged.bind(t.hub)
  t.hub.limitsChanged = (ids) => {
    for (const id of ids) pushed.add(id)
    return push(ids)
  }
  const refresher = new LimitRefresher({ store: t.store, env: t.env, logger: silentLogger })
  const seqs = new Map<string, number>()

  /** What the agent enforcing each subscriber must know: where, who, the terms and their version. */
  const view = () => {
    const now = t.clock.now()
    const out = new Map<string, string>()
    for (const sub of Object.values(t.data.subscribers) as Subscriber[]) {
      const subPlan = t.data.plans[sub.planId]!
      const topUps = Object.values(t.data.topUps).filter((u) => u.subscriberId === sub.id)
      const terms = limitTerms(sub, subPlan, topUps, now, t.env.timeZone)
      const { agentId, login, limitVersion } = sub
      out.set(sub.id, JSON.stringify({ agentId, login, limitVersion, terms }))
    }
    return out
  }
  const subscriberIds = () => Object.keys(t.data.subscribers)
  const someSubscriber = () => rnd.pick(subscriberIds())
  const address = () => `10.0.${rnd.int(2)}.${rnd.int(6) + 1}`

  const operations: Record<string, () => Promise<unknown>> = {
    createSubscriber: () =>
      t.call('POST', '/subscribers', {
        name: 'S',
        login: `s${rnd.int(1e9)}`,
        planId: rnd.pick(plans),
        agentId: rnd.pick(agents),
        address: address(),
        billingDay: rnd.int(28) + 1,
      }),
    editSubscriber: () => {
      const field = rnd.pick(['planId', 'agentId', 'address', 'billingDay', 'name'] as const)
      const value = {
        planId: rnd.pick(plans),
        agentId: rnd.pick(agents),
        address: address(),
        billingDay: rnd.pick([1, 15, 28, 'last']),
        name: `N${rnd.int(100)}`,
      }[field]
      return t.call('PATCH', `/subscribers/${someSubscriber()}`, { [field]: value })
    },
    topUpFromPlan: () =>
      t.call('POST', `/subscribers/${someSubscriber()}/topups`, {
        topUpPlanId: topUpPlan.id,
        chargeTo: rnd.pick(['invoice', 'balance']),
      }),
    manualTopUp: () =>
      t.call('POST', `/subscribers/${someSubscriber()}/topups`, {
        bytes: (rnd.int(5) + 1) * 1e9,
        price: { amount: rnd.int(300), currency: 'USD' },
        ...(rnd.next() < 0.5 ? { validityDays: rnd.int(10) + 1 } : {}),
        chargeTo: 'invoice',
      }),
    createPlan: async () => {
      const res = await t.call('POST', '/plans', {
        name: 'P',
        capBytes: (rnd.int(5) + 1) * 1e9,
        onCap: 'block',
      })
      if (res.status === 201) plans.push(res.body.id)
    },
    editPlan: () =>
      t.call(
        'PATCH',
        `/plans/${rnd.pick(plans)}`,
        rnd.next() < 0.5
          ? { capBytes: (rnd.int(200) + 1) * 1e9 }
          : { onCap: 'throttle', throttleKbps: (rnd.int(10) + 1) * 256 },
      ),
    autoTopUp: () =>
      t.call('PUT', `/subscribers/${someSubscriber()}/auto-topup`, {
        enabled: rnd.next() < 0.8,
        topUpPlanId: topUpPlan.id,
        maxPerPeriod: rnd.int(3) + 1,
        thresholdBytes: rnd.pick([0, 1e9, 500e9]),
      }),
    payment: () =>
      t.call('POST', `/subscribers/${someSubscriber()}/payments`, {
        amount: { amount: (rnd.int(5) + 1) * 500, currency: 'USD' },
      }),
    usage: async () => {
      const sub = t.data.subscribers[someSubscriber()]!
      const seq = (seqs.get(sub.agentId) ?? 0) + 1
      seqs.set(sub.agentId, seq)
      const periodStart = new Date(currentPeriod(sub, t.clock.now(), t.env.timeZone).startMs).toISOString()
      const entry = { seq, subscriberId: sub.id, down: rnd.int(60) * 1e9, periodStart }
      const batch = usage('e1', [entry]) as Usage
      const booked = await t.store.transact((tx) => ingestUsage(tx, t.env, sub.agentId, batch))
      t.hub.afterBooks(booked.subscriberIds)
    },
    timePasses: async () => {
      t.clock.advance(rnd.pick([3600_000, 86_400_000, 9 * 86_400_000, 31 * 86_400_000]))
      await refresher.runOnce()
    },
  }
  const names = Object.keys(operations)
  const trail: string[] = []
  for (let step = 0; step < steps; step++) {
    const name = rnd.pick(names)
    trail.push(name)
    const before = view()
    pushed.clear()
    await operations[name]!()
    await t.hub.drain()
    const after = view()
    const changed = [...after.keys()].filter((id) => before.get(id) !== after.get(id))
    const missed = changed.filter((id) => !pushed.has(id))
    expect(missed, `seed ${seed}, step ${step} (${trail.slice(-5).join(' → ')}): not pushed`).toEqual([])
  }
  return trail
}

describe('pushes follow commits', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'random walk %i: every subscriber whose limit changed is pushed',
    async (seed) => {
      const trail = await walk(seed, 80)
      // The walk did reach the operations that change limits.
      expect(new Set(trail).size).toBeGreaterThan(8)
    },
  )
})
