import { describe, expect, it } from 'vitest'
import { setPaymentInstructions } from '../domain/payment-instructions.js'
import { ANNA, portalKit } from '../portal/portal-test-kit.js'

async function offlineOrder() {
  const k = await portalKit()
  await k.store.transact((tx) => setPaymentInstructions(tx, k.env, 'user:admin', 'Pay at the office.'))
  const placed = await k.portal('POST', '/portal/api/topups', {
    ...(await k.login(ANNA)),
    idempotencyKey: 'offline-1',
    body: { topUpPlanId: k.topUpPlan.id, pay: 'offline' },
  })
  expect(placed.status).toBe(201)
  const orderId: string = placed.body.order.id
  const record = (key: string, body: object) =>
    k.call('POST', `/orders/${orderId}/payments`, body, { 'idempotency-key': key })
  const paid = { method: 'cash', reference: 'receipt 0042', amount: { amount: 500, currency: 'USD' } }
  return { ...k, orderId, record, paid, proformaNumber: placed.body.proforma.number as string }
}

describe('operator API: orders and offline payments', () => {
  it('lists the order awaiting payment and reads it with its pro-forma', async () => {
    const k = await offlineOrder()
    const waiting = await k.call('GET', '/orders?status=awaiting_payment')
    expect(waiting.body.items.map((o: { id: string }) => o.id)).toEqual([k.orderId])
    expect((await k.call('GET', '/orders?status=applied')).body.items).toEqual([])
    const one = await k.call('GET', `/orders/${k.orderId}`)
    expect(one.body).toMatchObject({
      provider: 'offline',
      proforma: { number: k.proformaNumber, status: 'open' },
    })
    expect((await k.call('GET', '/orders?status=nonsense')).status).toBe(400)
    expect((await k.call('GET', '/orders/ord_nope')).status).toBe(404)
  })

  it('applies a recorded payment once: numbered invoice, pro-forma paid and naming it, top-up made', async () => {
    const k = await offlineOrder()
    // Two staff record the same payment at once, with different keys: one applies, one is refused.
    const replies = await Promise.all([k.record('a', k.paid), k.record('b', k.paid), k.record('a', k.paid)])
    const statuses = replies.map((r) => r.status).sort()
    expect(statuses).toEqual([201, 201, 409])
    const order = k.data.orders[k.orderId]!
    expect(order.status).toBe('applied')
    const topUps = Object.values(k.data.topUps).filter((t) => t.orderId === k.orderId)
    expect(topUps).toHaveLength(1)
    const payments = Object.values(k.data.payments).filter((p) => p.orderId === k.orderId)
    expect(payments).toHaveLength(1)
    expect(payments[0]).toMatchObject({ method: 'cash', providerRef: 'receipt 0042' })
    const invoice = k.data.invoices[order.invoiceId!]!
    expect(invoice.number).toMatch(/^INV-2026-\d{6}$/)
    expect(invoice).toMatchObject({ status: 'paid', proformaId: order.proformaId })
    expect(k.data.invoices[order.proformaId!]).toMatchObject({ status: 'paid', invoiceId: invoice.id })
    expect(k.limitsChanged).toContain(k.anna.id)
  })

  it('refuses an amount other than the order’s, a provider’s order and bad input, changing nothing', async () => {
    const k = await offlineOrder()
    const before = k.snapshot()
    for (const amount of [499, 501, 5000]) {
      const reply = await k.record(`m${amount}`, { ...k.paid, amount: { amount, currency: 'USD' } })
      expect(reply.status).toBe(400)
      expect(reply.body.error.message).toContain('the order is for $5.00')
    }
    for (const bad of [
      { ...k.paid, method: 'card' },
      { ...k.paid, reference: '' },
      { ...k.paid, amount: { amount: 5, currency: 'USD' }, extra: 1 },
      { method: 'cash', amount: k.paid.amount },
    ]) {
      expect((await k.record(`bad-${JSON.stringify(bad)}`, bad)).status).toBe(400)
    }
    expect(k.snapshot()).toBe(before)
    const balanceOrder = await k.portal('POST', '/portal/api/topups', {
      ...(await k.login(ANNA)),
      idempotencyKey: 'bal',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
    })
    const other = await k.call('POST', `/orders/${balanceOrder.body.order.id}/payments`, k.paid, {
      'idempotency-key': 'x',
    })
    expect(other.status).toBe(400)
  })
})
