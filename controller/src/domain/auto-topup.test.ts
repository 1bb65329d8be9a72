import type { Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { setAutoTopUp } from './auto-topup.js'
import { autoTopUpPass, retryWaitingAutoTopUps } from './auto-topup-pass.js'
import { ingestUsage } from './usage-ingest.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function fixture(settings: object, balance: number) {
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
  if (balance > 0) await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(balance) })
  await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, {
    enabled: true,
    topUpPlanId: pack.id,
    minIntervalMs: 0,
    ...settings,
  })
  /** Books a batch, then runs auto top-up in its own transaction, as the hub does. */
  const report = async (batch: object) => {
    const result = await t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch as Usage))
    return autoTopUpPass(t.store, t.env, result.subscriberIds)
  }
  const autoTopUps = () => Object.values(t.data.topUps).filter((x) => x.source === 'auto')
  return { ...t, plan, pack, agent, sub, report, autoTopUps }
}

describe('auto top-up', () => {
  it('30 concurrent reports over the cap apply at most maxPerPeriod top-ups', async () => {
    const f = await fixture({ maxPerPeriod: 3 }, 100_000)
    const reports = Array.from({ length: 30 }, (_, i) =>
      f.report(usage('e1', [{ seq: (i % 10) + 1, subscriberId: f.sub.id, down: 400 }])),
    )
    await Promise.all(reports)
    expect(f.data.subscribers[f.sub.id]!.usedBytes).toBe(4000)
    expect(f.autoTopUps()).toHaveLength(3)
    expect(Object.values(f.data.invoices)).toHaveLength(3)
    expect(f.data.subscribers[f.sub.id]!.balance).toEqual(usd(100_000 - 300))
  })

  it('counts the maximum per billing period: a new period allows new ones', async () => {
    const f = await fixture({ maxPerPeriod: 1 }, 1000)
    await f.report(usage('e1', [{ seq: 1, subscriberId: f.sub.id, down: 2000 }]))
    expect(f.autoTopUps()).toHaveLength(1)
    f.clock.set(Date.parse('2026-04-02T00:00:00Z'))
    // Late March usage goes to March: April is untouched, nothing to top up.
    await f.report(usage('e1', [{ seq: 2, subscriberId: f.sub.id, down: 1000 }]))
    expect(f.autoTopUps()).toHaveLength(1)
    const april = '2026-04-01T00:00:00.000Z'
    await f.report(usage('e1', [{ seq: 3, subscriberId: f.sub.id, down: 1000, periodStart: april }]))
    expect(f.autoTopUps()).toHaveLength(2)
    expect(f.data.usagePeriods).toEqual({
      [`${f.sub.id}/2026-03-01T00:00:00.000Z`]: expect.objectContaining({ usedBytes: 3000 }),
    })
  })

  it('a billing day moved in the period keeps counting the auto top-ups bought in it: no new maximum, no new spend', async () => {
    const f = await fixture({ maxPerPeriod: 1, spendCapPerPeriod: 100 }, 1000)
    await f.report(usage('e1', [{ seq: 1, subscriberId: f.sub.id, down: 1000 }]))
    expect(f.autoTopUps()).toHaveLength(1)
    // 1 March–1 April becomes 5 March–5 April: the top-up of 10 March counts in it, and so does its price.
    const moved = await f.call('PATCH', `/subscribers/${f.sub.id}`, { billingDay: 5 })
    expect(moved.status, JSON.stringify(moved.body)).toBe(200)
    await f.report(usage('e1', [{ seq: 2, subscriberId: f.sub.id, down: 1000 }]))
    expect(f.autoTopUps()).toHaveLength(1)
    expect(f.data.subscribers[f.sub.id]!.autoTopUpDeclined).toMatchObject({ reason: 'max_per_period' })
  })

  it('declines when the top-up plan was retired, and says so once', async () => {
    const f = await fixture({ maxPerPeriod: 5 }, 1000)
    await f.call('POST', `/topup-plans/${f.pack.id}/retire`)
    await f.report(usage('e1', [{ seq: 1, subscriberId: f.sub.id, down: 1000 }]))
    await f.report(usage('e1', [{ seq: 2, subscriberId: f.sub.id, down: 1000 }]))
    expect(f.autoTopUps()).toHaveLength(0)
    const declines = f.data.audit.filter((a) => a.action === 'auto_topup.declined')
    expect(declines.map((a) => (a.data as { reason: string }).reason)).toEqual(['plan_unavailable'])
  })

  it('enabling it for a subscriber already at the threshold tops up at once', async () => {
    const f = await fixture({ maxPerPeriod: 5, enabled: false }, 1000)
    await f.report(usage('e1', [{ seq: 1, subscriberId: f.sub.id, down: 900 }]))
    expect(f.autoTopUps()).toHaveLength(0)
    const res = await f.call('PUT', `/subscribers/${f.sub.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: f.pack.id,
      maxPerPeriod: 5,
      thresholdBytes: 100,
    })
    expect(res.status).toBe(200)
    expect(res.body.autoTopUp.thresholdBytes).toBe(100)
    expect(res.body.usage).toMatchObject({ usedBytes: 900, limitBytes: 1500 })
    expect(f.autoTopUps()).toHaveLength(1)
  })

  it('puts it on the next invoice with the templated line: no funds needed, nothing taken from the balance', async () => {
    const f = await fixture(
      { maxPerPeriod: 2, chargeTo: 'invoice', descriptionTemplate: '{plan} ({size}) for {subscriber}' },
      0,
    )
    await f.report(usage('e1', [{ seq: 1, subscriberId: f.sub.id, down: 1000 }]))
    const [auto] = f.autoTopUps()
    expect(auto).toMatchObject({ chargeTo: 'invoice', price: usd(100) })
    const invoice = f.data.invoices[auto!.invoiceId]!
    expect(invoice.status).toBe('open')
    expect(invoice.lines.map((l) => l.description)).toEqual(['500 B (500 B) for A'])
    expect(Object.values(f.data.ledger).filter((e) => e.kind === 'topup_charge')).toEqual([])
    expect(f.data.subscribers[f.sub.id]!.balance).toEqual(usd(0))
  })

  it('without a template the line names the top-up plan, as before', async () => {
    const f = await fixture({ maxPerPeriod: 1 }, 1000)
    await f.report(usage('e1', [{ seq: 1, subscriberId: f.sub.id, down: 1000 }]))
    const invoice = f.data.invoices[f.autoTopUps()[0]!.invoiceId]!
    expect(invoice.lines.map((l) => l.description)).toEqual(['Data top-up: 500 B'])
  })

  it('a decline for the interval is audited once, tells the customer nothing, and is retried by time alone', async () => {
    const f = await fixture({ maxPerPeriod: 5, minIntervalMs: 60_000 }, 1000)
    await f.report(usage('e1', [{ seq: 1, subscriberId: f.sub.id, down: 1000 }]))
    const first = f.autoTopUps()[0]!
    await f.report(usage('e1', [{ seq: 2, subscriberId: f.sub.id, down: 500 }]))
    await f.report(usage('e1', [{ seq: 3, subscriberId: f.sub.id, down: 10 }]))
    expect(f.autoTopUps()).toHaveLength(1)
    expect(f.data.subscribers[f.sub.id]!.autoTopUpDeclined).toMatchObject({
      reason: 'min_interval',
      retryAtMs: first.createdAtMs + 60_000,
    })
    const audited = f.data.audit.filter((a) => a.action === 'auto_topup.declined')
    expect(audited.map((a) => (a.data as { reason: string }).reason)).toEqual(['min_interval'])
    expect(Object.values(f.data.notifications).filter((n) => n.event === 'auto_topup.declined')).toEqual([])
    f.clock.advance(59_999)
    expect((await retryWaitingAutoTopUps(f.store, f.env)).toppedUp).toEqual([])
    f.clock.advance(1)
    expect(await retryWaitingAutoTopUps(f.store, f.env)).toEqual({
      toppedUp: [f.sub.id],
      nextRetryAtMs: Number.POSITIVE_INFINITY,
    })
    expect(f.autoTopUps()).toHaveLength(2)
    expect(f.data.subscribers[f.sub.id]!.autoTopUpDeclined).toBeUndefined()
  })

  it('refuses settings out of bounds in the domain too, whatever edge they came through', async () => {
    const f = await fixture({ maxPerPeriod: 1 }, 0)
    const before = f.snapshot()
    const bad = { enabled: true, topUpPlanId: f.pack.id, maxPerPeriod: 1, minIntervalMs: -5 }
    await expect(
      f.store.transact((tx) => setAutoTopUp(tx, f.env, 'system', f.sub.id, bad)),
    ).rejects.toMatchObject({ code: 'invalid_request', details: [{ path: 'minIntervalMs' }] })
    expect(f.snapshot()).toBe(before)
  })
})
