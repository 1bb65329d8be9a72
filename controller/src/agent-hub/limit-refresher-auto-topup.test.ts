/**
 * A top-up that expires with data left lowers the limit by time alone: a subscriber it leaves at
 * the auto top-up trigger is blocked and sends no usage, so the refresher's pass must run the rule.
 */
import { silentLogger } from '@capd/log'
import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { ingestUsage } from '../domain/usage-ingest.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { LimitRefresher } from './limit-refresher.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

describe('limit refresher and auto top-up', () => {
  it('tops up a subscriber whose day pass expired with data left, while funds last', async () => {
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
    const report = (seq: number, down: number) =>
      t.store.transact((tx) =>
        ingestUsage(tx, t.env, agent.id, usage('e1', [{ seq, subscriberId: sub.id, down }]) as Usage),
      )
    await report(1, 1000)
    const pass = await t.call('POST', `/subscribers/${sub.id}/topups`, {
      bytes: 500,
      validityDays: 1,
      price: usd(50),
      chargeTo: 'invoice',
      allowTiny: true,
    })
    expect(pass.status, JSON.stringify(pass.body)).toBe(201)
    await report(2, 100)
    await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(1000) })
    await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: pack.id,
      maxPerPeriod: 2,
    })
    const autoTopUps = () => Object.values(t.data.topUps).filter((x) => x.source === 'auto')
    expect(autoTopUps()).toHaveLength(0)

    // The day pass ends with 400 B unused: the limit falls to what was used, 1100 B.
    t.clock.advance(86_400_000)
    await new LimitRefresher({ store: t.store, env: t.env, logger: silentLogger }).runOnce()
    expect(autoTopUps()).toHaveLength(1)
    expect((await t.call('GET', `/subscribers/${sub.id}`)).body.usage).toMatchObject({
      usedBytes: 1100,
      limitBytes: 1600,
    })
  })
})
