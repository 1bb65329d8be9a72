/**
 * Any change that lowers a limit can leave a subscriber at its auto top-up trigger, blocked and so
 * sending no usage that would run the rule: the hub runs it after every commit that changed limits.
 */
import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { ingestUsage } from '../domain/usage-ingest.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function atTheCap() {
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
  await t.store.transact((tx) =>
    ingestUsage(tx, t.env, agent.id, usage('e1', [{ seq: 1, subscriberId: sub.id, down: 1000 }]) as Usage),
  )
  const autoTopUps = () => Object.values(t.data.topUps).filter((x) => x.source === 'auto')
  /** Waits for the hub's work after commits (pushes, auto top-up passes). */
  const settle = async () => {
    for (let i = 0; i < 50 && autoTopUps().length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  }
  return { t, plan, pack, sub, autoTopUps, settle }
}

describe('auto top-up after a limit change', () => {
  it('tops up a subscriber left at the cap when a manual top-up is reversed', async () => {
    const { t, pack, sub, autoTopUps, settle } = await atTheCap()
    const manual = await t.call('POST', `/subscribers/${sub.id}/topups`, {
      bytes: 500,
      price: usd(50),
      chargeTo: 'invoice',
      allowTiny: true,
    })
    expect(manual.status, JSON.stringify(manual.body)).toBe(201)
    await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(1000) })
    await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: pack.id,
      maxPerPeriod: 2,
    })
    await settle()
    expect(autoTopUps()).toHaveLength(0) // 500 B left: above the trigger

    const reversed = await t.call('POST', `/invoices/${manual.body.invoice.id}/void`, {
      reason: 'sold by mistake',
    })
    expect(reversed.status, JSON.stringify(reversed.body)).toBe(200)
    await settle()
    expect(autoTopUps()).toHaveLength(1)
    expect((await t.call('GET', `/subscribers/${sub.id}`)).body.usage).toMatchObject({
      usedBytes: 1000,
      limitBytes: 1500,
    })
  })

  it('tops up a subscriber at the cap when it is resumed', async () => {
    const { t, pack, sub, autoTopUps, settle } = await atTheCap()
    await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(1000) })
    await t.call('POST', `/subscribers/${sub.id}/suspend`, { reason: 'test' })
    await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: pack.id,
      maxPerPeriod: 2,
    })
    await settle()
    expect(autoTopUps()).toHaveLength(0) // suspended: never charged

    const resumed = await t.call('POST', `/subscribers/${sub.id}/resume`, {})
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200)
    await settle()
    expect(autoTopUps()).toHaveLength(1)
  })
})
