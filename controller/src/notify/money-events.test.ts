import type { Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import { settleOrder } from '../domain/order-settlement.js'
import { placeOrder } from '../domain/orders.js'
import { ingestUsage } from '../domain/usage-ingest.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function fixture() {
  const t = await testApp()
  t.env.channels = new Set(['email'])
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
      email: 'a@example.net',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.1',
    })
  ).body
  /** Books a batch, then runs auto top-up in its own transaction, as the hub does. */
  const report = async (batch: object) => {
    const result = await t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch as Usage))
    return autoTopUpPass(t.store, t.env, result.subscriberIds)
  }
  /** Notifications decided, by event, as `event:<id of what it is about>`. */
  const decided = (event: string) =>
    Object.values(t.data.notifications)
      .filter((n) => n.event === event)
      .map((n) => n.id)
      .sort()
  const receipts = () => Object.values(t.data.deliveries).filter((d) => d.to === 'a@example.net').length
  return { ...t, plan, pack, agent, sub, report, decided, receipts }
}

describe('money events', () => {
  it('a payment is booked even when its receipt cannot be decided (the subscriber has no plan row)', async () => {
    const f = await fixture()
    // A store restored in part, or edited by hand: the plan is gone. Receipts need its figures.
    delete f.data.plans[f.plan.id]
    const reply = await f.call('POST', `/subscribers/${f.sub.id}/payments`, { amount: usd(700) })
    expect(reply.status).toBe(201)
    expect(f.data.subscribers[f.sub.id]!.balance).toEqual(usd(700))
    expect(f.decided('payment.received')).toEqual([])
  })

  it('a top-up: topup.applied and invoice.issued once each, with the figures people read', async () => {
    const f = await fixture()
    const reply = await f.call('POST', `/subscribers/${f.sub.id}/topups`, {
      topUpPlanId: f.pack.id,
      chargeTo: 'invoice',
    })
    expect(reply.status).toBe(201)
    const { topUp, invoice } = reply.body
    expect(f.decided('topup.applied')).toEqual([`topup.applied/${topUp.id}`])
    expect(f.decided('invoice.issued')).toEqual([`invoice.issued/${invoice.id}`])
    const applied = f.data.notifications[`topup.applied/${topUp.id}`]!
    expect(applied.vars).toMatchObject({ size: '500 B', price: '$1.00', limit: '1.5 kB' })
    expect(applied.data.source).toBe('operator')
    expect(applied.vars.validUntil).toMatch(/2026/)
    expect(f.data.notifications[`invoice.issued/${invoice.id}`]!.vars).toMatchObject({
      invoiceNumber: invoice.number,
      total: '$1.00',
    })
    expect(f.receipts()).toBe(2)
  })

  it('payments: each payment row is received once, whichever way it was made', async () => {
    const f = await fixture()
    const credited = await f.call('POST', `/subscribers/${f.sub.id}/payments`, { amount: usd(1000) })
    expect(credited.status).toBe(201)
    const topUp = await f.call('POST', `/subscribers/${f.sub.id}/topups`, {
      topUpPlanId: f.pack.id,
      chargeTo: 'invoice',
    })
    const invoiceId = topUp.body.invoice.id
    const part = await f.call(
      'POST',
      `/invoices/${invoiceId}/payments`,
      { amount: usd(40), method: 'mpesa' },
      { 'idempotency-key': 'part-1' },
    )
    expect(part.status).toBe(201)
    const rest = await f.call('POST', `/invoices/${invoiceId}/pay-from-balance`, undefined, {
      'idempotency-key': 'rest-1',
    })
    expect(rest.status).toBe(201)
    const payments = Object.values(f.data.payments)
    expect(payments).toHaveLength(3)
    expect(f.decided('payment.received')).toEqual(payments.map((p) => `payment.received/${p.id}`).sort())
    const credit = f.data.notifications[`payment.received/${credited.body.payment.id}`]!
    expect(credit.vars).toMatchObject({ amount: '$10.00', method: 'recorded by the ISP' })
    expect(f.data.notifications[`payment.received/${part.body.payment.id}`]!.vars.method).toBe('M-Pesa')
  })

  it('a paid order: one payment.received and one topup.applied however often it is confirmed', async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const random = seededRandom(seed)
      const f = await fixture()
      // An offline order has a pro-forma, which is no receipt; a card order has none.
      const provider = seed % 2 === 1 ? 'offline' : 'stripe'
      const order = await f.store.transact((tx) =>
        placeOrder(tx, f.env, 'customer:test', f.sub.id, {
          request: { kind: 'topup', topUpPlanId: f.pack.id } as never,
          provider,
        }),
      )
      const settle = () =>
        f.store.transact((tx) =>
          settleOrder(tx, f.env, {
            orderId: order.id,
            provider,
            amount: usd(100),
            method: 'card',
            actor: 'system',
          }),
        )
      await Promise.all(Array.from({ length: random.int(1, 6) }, settle))
      const payment = Object.values(f.data.payments)[0]!
      expect(f.decided('payment.received'), `seed ${seed}`).toEqual([`payment.received/${payment.id}`])
      expect(f.decided('topup.applied'), `seed ${seed}`).toHaveLength(1)
      expect(f.data.notifications[`topup.applied/${f.data.orders[order.id]!.topUpId}`]!.data.source).toBe(
        'portal',
      )
      expect(Boolean(order.proformaId), `seed ${seed}`).toBe(provider === 'offline')
      expect(f.decided('invoice.issued'), `seed ${seed}`).toEqual([
        `invoice.issued/${f.data.orders[order.id]!.invoiceId}`,
      ])
    }
  }, 60_000)

  it('a refused sale decides nothing: the transaction rolls back with its notifications', async () => {
    const f = await fixture()
    const before = f.snapshot()
    const refused = await f.call('POST', `/subscribers/${f.sub.id}/topups`, {
      topUpPlanId: f.pack.id,
      chargeTo: 'balance',
    })
    expect(refused.status).toBe(402)
    expect(refused.body.error.code).toBe('insufficient_balance')
    expect(f.snapshot()).toBe(before)
    expect(Object.keys(f.data.notifications)).toEqual([])
  })

  it('auto top-up: applied once per top-up, declined once per period and reason', async () => {
    const f = await fixture()
    await f.call('POST', `/subscribers/${f.sub.id}/payments`, { amount: usd(150) })
    await f.call('PUT', `/subscribers/${f.sub.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: f.pack.id,
      maxPerPeriod: 2,
      minIntervalMs: 0,
    })
    const entry = (seq: number, down: number) => ({ seq, subscriberId: f.sub.id, down })
    await f.report(usage('e1', [entry(1, 1000)]))
    const autos = Object.values(f.data.topUps).filter((t) => t.source === 'auto')
    expect(autos).toHaveLength(1)
    expect(f.decided('auto_topup.applied')).toEqual([`topup.applied/${autos[0]!.id}`])
    expect(f.decided('topup.applied')).toEqual([])
    // $0.50 left: the next one cannot be paid for.
    for (let seq = 2; seq <= 4; seq++) await f.report(usage('e1', [entry(seq, 200)]))
    const declined = f.decided('auto_topup.declined')
    expect(declined).toHaveLength(1)
    expect(declined[0]).toMatch(/\/insufficient_balance$/)
    expect(f.data.notifications[declined[0]!]!.vars.reason).toBe('not enough balance ($0.50 of $1.00)')
    // Money arrives: the second applies, then the period's maximum is the reason.
    await f.call('POST', `/subscribers/${f.sub.id}/payments`, { amount: usd(1000) })
    await f.report(usage('e1', [entry(5, 1)]))
    await f.report(usage('e1', [entry(6, 600)]))
    await f.report(usage('e1', [entry(7, 600)]))
    expect(f.decided('auto_topup.applied')).toHaveLength(2)
    const reasons = f.decided('auto_topup.declined').map((k) => f.data.notifications[k]!.vars.reason)
    expect(reasons.sort()).toEqual(['monthly maximum of 2 reached', 'not enough balance ($0.50 of $1.00)'])
  })
})
