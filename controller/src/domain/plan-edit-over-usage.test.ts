/**
 * A plan edit that lowers the cap below what was already drawn from it: the bytes past the new
 * cap become over-usage, so the auto top-up the edit sets off settles them as its settings say
 * (compensated or forgiven) instead of silently taking them out of the new top-up.
 */
import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { ingestUsage } from './usage-ingest.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function overTheNewCap(compensateOverUsage: boolean) {
  const t = await testApp()
  const plan = (
    await t.call('POST', '/plans', { name: 'Tiny', capBytes: 1000, onCap: 'block', allowTiny: true })
  ).body
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
    })
  ).body
  await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(1000) })
  await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, {
    enabled: true,
    topUpPlanId: pack.id,
    maxPerPeriod: 1,
    compensateOverUsage,
  })
  await t.store.transact((tx) =>
    ingestUsage(tx, t.env, agent.id, usage('e1', [{ seq: 1, subscriberId: sub.id, down: 800 }]) as Usage),
  )
  const edit = await t.call('PATCH', `/plans/${plan.id}`, { capBytes: 500, allowTiny: true })
  expect(edit.status, JSON.stringify(edit.body)).toBe(200)
  // The edit left the subscriber past its limit: the auto top-up runs after it, not at a next report.
  const auto = Object.values(t.data.topUps).filter((x) => x.source === 'auto')
  expect(auto).toHaveLength(1)
  const { drawn, overBytes, forgivenBytes } = t.data.subscribers[sub.id]!.allowance!
  expect({ drawn: Object.values(drawn), overBytes, forgivenBytes }).toEqual(
    compensateOverUsage
      ? { drawn: [500, 300], overBytes: 0, forgivenBytes: 0 }
      : { drawn: [500], overBytes: 300, forgivenBytes: 300 },
  )
  return (await t.call('GET', `/subscribers/${sub.id}`)).body.usage
}

describe('a plan edit that lowers the cap below the usage', () => {
  it('a top-up that forgives over-usage starts whole', async () => {
    expect(await overTheNewCap(false)).toMatchObject({ usedBytes: 800, remainingBytes: 500 })
  })

  it('a top-up that compensates over-usage pays for the bytes past the new cap', async () => {
    expect(await overTheNewCap(true)).toMatchObject({ usedBytes: 800, remainingBytes: 200 })
  })
})
