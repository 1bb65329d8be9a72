import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { voidInvoice } from './credit-notes.js'
import { closeOrder, settleOrder } from './order-settlement.js'
import { placeOrder } from './orders.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function fixture() {
  const t = await testApp()
  const plan = (await t.call('POST', '/plans', { name: 'Home', capBytes: 10e9, onCap: 'block' })).body
  const pack = (await t.call('POST', '/topup-plans', { name: '5 GB', bytes: 5e9, price: usd(500) })).body
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
  const order = (provider: 'stripe' | 'offline', request: object = { kind: 'topup', topUpPlanId: pack.id }) =>
    t.store.transact((tx) =>
      placeOrder(tx, t.env, 'customer:test', sub.id, { request: request as never, provider }),
    )
  const settle = (orderId: string, amount = 500, provider: 'stripe' | 'offline' = 'stripe') =>
    t.store.transact((tx) =>
      settleOrder(tx, t.env, { orderId, provider, amount: usd(amount), method: 'card', actor: 'system' }),
    )
  const rows = () => ({
    topUps: Object.values(t.data.topUps),
    invoices: Object.values(t.data.invoices),
    payments: Object.values(t.data.payments),
  })
  return { ...t, pack, sub, order, settle, rows }
}

describe('settling an order', () => {
  it('applies nothing before payment, then exactly once, however confirmations interleave', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = seededRandom(seed)
      const f = await fixture()
      const order = await f.order('stripe')
      expect(f.rows().topUps).toHaveLength(0)
      // Confirmations, a wrong amount, a failure and an expiry, in a random order, some at once.
      const steps = [
        ...Array.from({ length: random.int(2, 7) }, () => () => f.settle(order.id)),
        () => f.settle(order.id, 499),
        () => f.store.transact((tx) => closeOrder(tx, f.env, order.id, 'failed', 'declined', 'system')),
      ].sort(() => random.next() - 0.5)
      await Promise.all(steps.map((step) => step()))
      const { topUps, invoices, payments } = f.rows()
      expect(topUps, `seed ${seed}`).toHaveLength(1)
      expect(payments, `seed ${seed}`).toHaveLength(1)
      expect(
        invoices.filter((i) => i.kind === 'invoice'),
        `seed ${seed}`,
      ).toEqual([
        expect.objectContaining({
          status: 'paid',
          paidWith: 'card',
          total: usd(500),
          topUpId: topUps[0]!.id,
        }),
      ])
      expect(payments[0]!.allocations).toEqual([{ invoiceId: topUps[0]!.invoiceId, amount: usd(500) }])
      const stored = f.data.orders[order.id]!
      expect(stored.status).toBe('applied')
      expect(stored.topUpId).toBe(topUps[0]!.id)
      expect(f.data.subscribers[f.sub.id]!.limitTerms?.limitBytes).toBe(15e9)
    }
  }, 60_000)

  it('a payment of another amount applies nothing and is kept on the order', async () => {
    const f = await fixture()
    const order = await f.order('stripe')
    const result = await f.settle(order.id, 50)
    expect(result.outcome).toBe('mismatch')
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
    expect(f.data.orders[order.id]).toMatchObject({
      status: 'awaiting_payment',
      mismatch: { amount: usd(50) },
    })
  })

  it('refuses a confirmation from a provider the order does not use', async () => {
    const f = await fixture()
    const order = await f.order('offline')
    await expect(f.settle(order.id, 500, 'stripe')).rejects.toThrow(/paid through offline/)
    expect(f.rows().topUps).toHaveLength(0)
  })

  it('an offline order has a pro-forma that names the invoice once paid', async () => {
    const f = await fixture()
    const order = await f.order('offline')
    const proforma = f.data.invoices[order.proformaId!]!
    expect(proforma).toMatchObject({ kind: 'proforma', status: 'open', number: 'PRO-2026-000001' })
    await f.settle(order.id, 500, 'offline')
    const invoice = f.rows().invoices.find((i) => i.kind === 'invoice')!
    expect(invoice).toMatchObject({ number: 'INV-2026-000001', proformaId: proforma.id, status: 'paid' })
    expect(f.data.invoices[proforma.id]).toMatchObject({ status: 'paid', invoiceId: invoice.id })
  })

  it('a pro-forma cancelled before a late payment stays void; the payment gets its own invoice', async () => {
    const f = await fixture()
    const order = await f.order('offline')
    await f.store.transact((tx) =>
      voidInvoice(tx, f.env, 'user:test', order.proformaId!, {
        reason: 'customer gave up',
        refund: 'balance',
      }),
    )
    await f.settle(order.id, 500, 'offline')
    expect(f.data.invoices[order.proformaId!]).toMatchObject({ status: 'void' })
    expect(f.rows().invoices.filter((i) => i.kind === 'invoice')).toEqual([
      expect.objectContaining({ status: 'paid', proformaId: order.proformaId }),
    ])
  })

  it('credits the balance for a balance order, once', async () => {
    const f = await fixture()
    const order = await f.order('stripe', { kind: 'balance', amount: usd(1234) })
    await Promise.all([f.settle(order.id, 1234), f.settle(order.id, 1234)])
    expect(f.data.subscribers[f.sub.id]!.balance).toEqual(usd(1234))
    expect(f.rows().payments).toHaveLength(1)
    expect(Object.values(f.data.ledger)).toEqual([
      expect.objectContaining({ kind: 'payment', amount: usd(1234) }),
    ])
  })
})
