import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { autoTopUpPass } from './auto-topup-pass.js'
import { createPlan } from './plans.js'
import { ingestUsage } from './usage-ingest.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

/**
 * A prepaid plan (no data of its own) whose unused top-up data rolls over: in the new period the
 * customer has the rolled-over data, and no report has been booked yet when the rule runs.
 */
async function prepaidWithRollover() {
  const t = await testApp()
  const plan = await t.store.transact((tx) =>
    createPlan(tx, t.env, 'user:test', {
      name: 'Prepaid',
      capBytes: 0,
      onCap: 'block',
      rollover: { plan: false, topUps: true, periods: 1, maxBytes: 10_000 },
    }),
  )
  const pack = (
    await t.call('POST', '/topup-plans', { name: '500 B', bytes: 500, price: usd(100), allowTiny: true })
  ).body
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const sub = (
    await t.call('POST', '/subscribers', {
      name: 'A',
      login: 'a',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.1',
      billingDay: 1,
    })
  ).body
  await t.call('POST', `/subscribers/${sub.id}/topups`, { topUpPlanId: pack.id, chargeTo: 'invoice' })
  await t.store.transact((tx) =>
    ingestUsage(tx, t.env, agent.id, usage('e1', [{ seq: 1, subscriberId: sub.id, down: 100 }]) as Usage),
  )
  const autoTopUps = () => Object.values(t.data.topUps).filter((x) => x.source === 'auto')
  return { ...t, pack, sub, autoTopUps }
}

describe('auto top-up and rolled-over data', () => {
  it('a payment early in a new period buys nothing while rolled-over data is above the trigger', async () => {
    const f = await prepaidWithRollover()
    await f.call('POST', `/subscribers/${f.sub.id}/payments`, { amount: usd(1000) })
    const set = await f.call('PUT', `/subscribers/${f.sub.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: f.pack.id,
      maxPerPeriod: 3,
      trigger: { kind: 'bytes', bytes: 100 },
    })
    expect(set.status).toBe(200)
    expect(f.autoTopUps()).toHaveLength(0)

    // April: 400 B rolled over from March's top-up, nothing booked in April yet.
    f.clock.set(Date.parse('2026-04-02T00:00:00Z'))
    await f.call('POST', `/subscribers/${f.sub.id}/payments`, { amount: usd(1000) })
    expect(await autoTopUpPass(f.store, f.env, [f.sub.id])).toEqual([])
    expect(f.autoTopUps()).toHaveLength(0)
    expect((await f.call('GET', `/subscribers/${f.sub.id}`)).body.usage).toMatchObject({
      usedBytes: 0,
      limitBytes: 400,
    })
  })
})
