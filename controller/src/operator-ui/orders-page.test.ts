import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { settleOrder } from '../domain/order-settlement.js'
import { placeOrder } from '../domain/orders.js'
import { paymentInstructions } from '../domain/payment-instructions.js'
import { staffTestKit } from './staff-test-kit.js'

async function setup() {
  const k = await staffTestKit()
  const place = () =>
    k.store.transact((tx) =>
      placeOrder(tx, k.env, 'customer:x', k.subscriber.id, {
        request: { kind: 'topup', topUpPlanId: k.topUpPlan.id },
        provider: 'offline',
      }),
    )
  const billing = await k.sessionOf((await k.addAccount('bill', 'billing')).id)
  const support = await k.sessionOf((await k.addAccount('sue', 'support')).id)
  /** Posts the record-payment form of `orderId` with a fresh key from the page. */
  async function record(who: typeof billing, orderId: string, fields: Record<string, string>) {
    return who.post(`/orders/${orderId}/payments`, {
      idempotencyKey: randomUUID(),
      ...fields,
    })
  }
  return { ...k, place, billing, support, record }
}

const cash = { method: 'cash', reference: 'R-77', amount: '5.00' }

describe('operator Orders page', () => {
  it('lists mismatches first and prominently, then orders awaiting payment with their pro-forma', async () => {
    const k = await setup()
    const waiting = await k.place()
    const odd = await k.place()
    await k.store.transact((tx) =>
      settleOrder(tx, k.env, {
        orderId: odd.id,
        provider: 'offline',
        amount: { amount: 450, currency: 'USD' },
        method: 'bank_transfer',
        providerRef: 'TRF-1',
        actor: 'user:x',
      }),
    )
    const html = (await k.billing.browser.get('/orders')).html
    expect(html).toContain('Payments that do not match (1)')
    expect(html.indexOf('Payments that do not match')).toBeLessThan(html.indexOf('Awaiting payment'))
    expect(html).toContain('$4.50')
    expect(html).toContain('TRF-1')
    expect(html).toContain(k.data.invoices[waiting.proformaId!]!.number)
    expect(html).toContain('Record payment')
    // Read-only staff see the lists, not the forms.
    const seen = (await k.support.browser.get('/orders')).html
    expect(seen).toContain('Awaiting payment')
    expect(seen).not.toContain(`action="/orders/${waiting.id}/payments"`)
  })

  it('records a payment once: applied, then a second record is refused; a wrong amount changes nothing', async () => {
    const k = await setup()
    const order = await k.place()
    const before = k.snapshot()
    const wrong = await k.record(k.billing, order.id, { ...cash, amount: '4.99' })
    expect(wrong.status).toBe(303)
    expect((await k.billing.browser.get('/orders')).html).toContain('the order is for $5.00, not $4.99')
    expect(k.snapshot()).toBe(before)

    expect((await k.record(k.billing, order.id, cash)).status).toBe(303)
    expect(k.data.orders[order.id]!.status).toBe('applied')
    expect((await k.billing.browser.get('/orders')).html).toContain('Payment of $5.00 recorded')
    await k.record(k.billing, order.id, cash)
    expect((await k.billing.browser.get('/orders')).html).toContain('already paid')
    expect(Object.values(k.data.topUps).filter((t) => t.orderId === order.id)).toHaveLength(1)
  })

  it('lets billing staff, not support, record payments and set the payment instructions', async () => {
    const k = await setup()
    const order = await k.place()
    const before = k.snapshot()
    expect((await k.record(k.support, order.id, cash)).status).toBe(403)
    expect((await k.support.post('/settings/payment-instructions', { instructions: 'x' })).status).toBe(403)
    expect(k.snapshot()).toBe(before)
    const saved = await k.billing.post('/settings/payment-instructions', {
      instructions: '  Bank X, acct 1  ',
    })
    expect(saved.status).toBe(303)
    expect(await k.store.transact((tx) => paymentInstructions(tx))).toBe('Bank X, acct 1')
    await k.billing.post('/settings/payment-instructions', { instructions: '' })
    expect(await k.store.transact((tx) => paymentInstructions(tx))).toBeUndefined()
  })
})
