/**
 * Live pages hear of what they show, even where no limit moved: a customer whose auto top-up the
 * rule just paused, or whose balance an operator credited, sees it without reloading.
 */
import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import { ingestUsage } from '../domain/usage-ingest.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import type { Change } from './change-feed.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function fixture() {
  const t = await testApp()
  const { subscriber, topUpPlan, agent } = await t.seed()
  const heard: Change[] = []
  t.hub.changes.subscribe((change) => heard.push(change))
  /** Whether the pages were told of this subscriber since `from`. */
  const told = (from: number) =>
    heard.slice(from).some((c) => c.kind === 'subscribers' && c.ids.includes(subscriber.id))
  return { ...t, subscriber, topUpPlan, agent, heard, told }
}

describe('live pages hear of changes that move no limit', () => {
  it('an auto top-up paused for want of balance', async () => {
    const t = await fixture()
    const put = await t.call('PUT', `/subscribers/${t.subscriber.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: t.topUpPlan.id,
      maxPerPeriod: 2,
    })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    const cap = t.data.plans[t.subscriber.planId]!.capBytes
    // The books alone, as the hub's usage lane writes them: the hub itself tells of the usage.
    await t.store.transact((tx) =>
      ingestUsage(
        tx,
        t.env,
        t.agent.id,
        usage('e1', [{ seq: 1, subscriberId: t.subscriber.id, down: cap }]) as Usage,
      ),
    )
    const from = t.heard.length
    await autoTopUpPass(t.store, t.env, [t.subscriber.id])
    expect(t.data.subscribers[t.subscriber.id]!.autoTopUpDeclined).toMatchObject({
      reason: 'insufficient_balance',
    })
    expect(t.told(from)).toBe(true)
  })

  it('a balance credited by an operator', async () => {
    const t = await fixture()
    const from = t.heard.length
    const paid = await t.call('POST', `/subscribers/${t.subscriber.id}/payments`, { amount: usd(500) })
    expect(paid.status, JSON.stringify(paid.body)).toBe(201)
    expect(t.told(from)).toBe(true)
  })
})
