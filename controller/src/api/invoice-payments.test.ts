import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { invoiceKit, key, usd } from './invoice-test-kit.js'

describe('payments against an invoice', () => {
  it('partial payments in any order, each retried, add up exactly once and close the invoice', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed)
      const k = await invoiceKit()
      const total = random.int(2, 5000)
      const { invoice } = await k.topUp(1e9, total)
      // Split the total into random parts; send each with its own key, some twice (a retry).
      const parts: number[] = []
      for (let left = total; left > 0; ) {
        const part = Math.min(left, random.int(1, total))
        parts.push(part)
        left -= part
      }
      const sends = parts.map((amount, i) => ({ amount, headers: { 'idempotency-key': `pay-${seed}-${i}` } }))
      const retried = [...sends, ...sends.filter(() => random.next() < 0.5)].sort(() => random.next() - 0.5)
      const replies = await Promise.all(
        retried.map((s) =>
          k.call(
            'POST',
            `/invoices/${invoice.id}/payments`,
            { amount: usd(s.amount), method: 'cash' },
            s.headers,
          ),
        ),
      )
      expect(replies.every((r) => r.status === 201)).toBe(true)
      const read = await k.invoice(invoice.id)
      expect(read).toMatchObject({
        status: 'paid',
        amountPaid: usd(total),
        amountDue: usd(0),
        paidWith: 'cash',
      })
      const payments = (await k.call('GET', `/invoices/${invoice.id}/payments`)).body.items
      expect(payments).toHaveLength(parts.length)
      expect(payments.reduce((s: number, p: { amount: { amount: number } }) => s + p.amount.amount, 0)).toBe(
        total,
      )
      // Money received for an invoice is not a balance credit.
      expect(await k.balance()).toEqual(usd(0))
    }
  })

  it('more than is due is refused and changes nothing; a paid invoice takes no more', async () => {
    const k = await invoiceKit()
    const { invoice } = await k.topUp(1e9, 1000)
    expect(
      (
        await k.call(
          'POST',
          `/invoices/${invoice.id}/payments`,
          { amount: usd(400), method: 'mpesa', reference: 'QX1' },
          key(),
        )
      ).status,
    ).toBe(201)
    const before = k.snapshot()
    const over = await k.call(
      'POST',
      `/invoices/${invoice.id}/payments`,
      { amount: usd(601), method: 'cash' },
      key(),
    )
    expect(over.status).toBe(422)
    expect(over.body.error.code).toBe('overpayment')
    expect(over.body.error.message).toContain('$6.00 due on INV-2026-000001')
    expect(k.snapshot()).toBe(before)
    await k.call(
      'POST',
      `/invoices/${invoice.id}/payments`,
      { amount: usd(600), method: 'bank_transfer' },
      key(),
    )
    const again = await k.call(
      'POST',
      `/invoices/${invoice.id}/payments`,
      { amount: usd(1), method: 'cash' },
      key(),
    )
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('invoice_closed')
  })

  it('refuses forged input: no key, bad method, other currency, zero, unknown invoice', async () => {
    const k = await invoiceKit()
    const { invoice } = await k.topUp(1e9, 1000)
    const before = k.snapshot()
    const path = `/invoices/${invoice.id}/payments`
    expect((await k.call('POST', path, { amount: usd(100), method: 'cash' })).status).toBe(400)
    expect((await k.call('POST', path, { amount: usd(100), method: 'balance' }, key())).status).toBe(400)
    expect((await k.call('POST', path, { amount: usd(0), method: 'cash' }, key())).status).toBe(400)
    expect(
      (await k.call('POST', path, { amount: { amount: 100, currency: 'EUR' }, method: 'cash' }, key()))
        .status,
    ).toBe(422)
    expect((await k.call('POST', path, { amount: usd(100), method: 'cash', extra: 1 }, key())).status).toBe(
      400,
    )
    expect(
      (await k.call('POST', '/invoices/inv-nope/payments', { amount: usd(100), method: 'cash' }, key()))
        .status,
    ).toBe(404)
    expect(k.snapshot()).toBe(before)
  })

  it('pay from balance moves the amount due off the balance (ledger invoice_payment), once', async () => {
    const k = await invoiceKit()
    const { invoice } = await k.topUp(1e9, 700)
    await k.call('POST', `/invoices/${invoice.id}/payments`, { amount: usd(200), method: 'cash' }, key())
    const before = k.snapshot()
    const short = await k.call('POST', `/invoices/${invoice.id}/pay-from-balance`, undefined, key())
    expect(short.status).toBe(402)
    expect(k.snapshot()).toBe(before)
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, { amount: usd(900) })
    const headers = key()
    const paid = await k.call('POST', `/invoices/${invoice.id}/pay-from-balance`, undefined, headers)
    expect(paid.status).toBe(201)
    expect(paid.body.invoice).toMatchObject({ status: 'paid', amountPaid: usd(700), paidWith: 'balance' })
    expect(paid.body.balance).toEqual(usd(400))
    const replay = await k.call('POST', `/invoices/${invoice.id}/pay-from-balance`, undefined, headers)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(await k.balance()).toEqual(usd(400))
    expect(await k.ledgerKinds()).toEqual([
      ['payment', 900],
      ['invoice_payment', -500],
    ])
  })

  it('a pro-forma is never paid by allocation', async () => {
    const k = await invoiceKit()
    const { placeOrder } = await import('../domain/orders.js')
    const order = await k.store.transact((tx) =>
      placeOrder(tx, k.env, 'test', k.subscriber.id, {
        request: { kind: 'topup', topUpPlanId: k.topUpPlan.id },
        provider: 'offline',
      }),
    )
    expect(order.proformaId).toBeDefined()
    const res = await k.call(
      'POST',
      `/invoices/${order.proformaId}/payments`,
      { amount: usd(500), method: 'cash' },
      key(),
    )
    expect(res.status).toBe(409)
    expect(res.body.error.message).toContain('pro-forma')
  })
})
