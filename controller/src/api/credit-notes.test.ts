import { describe, expect, it } from 'vitest'
import { invoiceKit, key, usd } from './invoice-test-kit.js'

const GB = 1e9

describe('voiding an invoice', () => {
  it('issues a credit note, refunds what was paid to the balance and takes back unused data at once', async () => {
    const k = await invoiceKit()
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, { amount: usd(1000) })
    const { invoice, topUp } = await k.topUp(10 * GB, 600, 'balance')
    await k.setUsed(100 * GB) // the plan's 100 GB used up: the top-up's 10 GB are untouched
    const before = await k.agentLimit()
    expect(before.limitBytes).toBe(110 * GB)
    k.commits.length = 0

    const res = await k.call('POST', `/invoices/${invoice.id}/void`, { reason: 'sold by mistake' }, key())
    expect(res.status).toBe(200)
    expect(res.body.creditNote).toMatchObject({
      kind: 'credit_note',
      number: 'CN-2026-000001',
      invoiceId: invoice.id,
      total: usd(600),
    })
    expect(res.body.invoice).toMatchObject({
      status: 'void',
      creditNoteId: res.body.creditNote.id,
      voidReason: 'sold by mistake',
    })
    expect(res.body.reversedTopUp.id).toBe(topUp.id)
    expect(await k.balance()).toEqual(usd(1000))
    expect(await k.ledgerKinds()).toEqual([
      ['payment', 1000],
      ['topup_charge', -600],
      ['refund', 600],
    ])
    // The agent gets the lower limit under a newer version, pushed after the commit.
    const after = await k.agentLimit()
    expect(after.limitBytes).toBe(100 * GB)
    expect(after.limitVersion).toBeGreaterThan(before.limitVersion)
    expect(k.commits.some((c) => c.subscriberIds.includes(k.subscriber.id))).toBe(true)
    // Voiding twice is refused and changes nothing.
    const snap = k.snapshot()
    const twice = await k.call('POST', `/invoices/${invoice.id}/void`, { reason: 'again' }, key())
    expect(twice.status).toBe(409)
    expect(k.snapshot()).toBe(snap)
  })

  it('keeps data that is partly used (remaining < the top-up), still crediting the invoice', async () => {
    const k = await invoiceKit()
    const { invoice } = await k.topUp(10 * GB, 600)
    await k.setUsed(100 * GB + 1) // one byte into the top-up
    const res = await k.call('POST', `/invoices/${invoice.id}/void`, { reason: 'customer complaint' }, key())
    expect(res.status).toBe(200)
    expect(res.body.reversedTopUp).toBeNull()
    expect((await k.agentLimit()).limitBytes).toBe(110 * GB)
    // Nothing was paid on it: no refund.
    expect(await k.ledgerKinds()).toEqual([])
  })

  it('refund "none" leaves the balance alone (money returned outside capd)', async () => {
    const k = await invoiceKit()
    const { invoice } = await k.topUp(GB, 300)
    await k.call('POST', `/invoices/${invoice.id}/payments`, { amount: usd(300), method: 'cash' }, key())
    await k.call(
      'POST',
      `/invoices/${invoice.id}/void`,
      { reason: 'cash handed back', refund: 'none' },
      key(),
    )
    expect(await k.balance()).toEqual(usd(0))
  })

  it('a credit note cannot be voided or paid', async () => {
    const k = await invoiceKit()
    const { invoice } = await k.topUp(GB, 300)
    const { creditNote } = (await k.call('POST', `/invoices/${invoice.id}/void`, { reason: 'x' }, key())).body
    expect((await k.call('POST', `/invoices/${creditNote.id}/void`, { reason: 'y' }, key())).status).toBe(409)
    expect(
      (await k.call('POST', `/invoices/${creditNote.id}/payments`, { amount: usd(1), method: 'cash' }, key()))
        .status,
    ).toBe(409)
  })

  it('cancels an unpaid pro-forma without a credit note and closes its order', async () => {
    const k = await invoiceKit()
    const { placeOrder } = await import('../domain/orders.js')
    const order = await k.store.transact((tx) =>
      placeOrder(tx, k.env, 'test', k.subscriber.id, {
        request: { kind: 'topup', topUpPlanId: k.topUpPlan.id },
        provider: 'offline',
      }),
    )
    const res = await k.call(
      'POST',
      `/invoices/${order.proformaId}/void`,
      { reason: 'customer changed mind' },
      key(),
    )
    expect(res.status).toBe(200)
    expect(res.body.invoice).toMatchObject({ kind: 'proforma', status: 'void' })
    expect(res.body.creditNote).toBeNull()
    const closed = await k.store.transact((tx) => tx.orders.get(order.id))
    expect(closed?.status).toBe('failed')
  })
})

describe('reversing a mistaken top-up', () => {
  it('removes its data even when used, with a credit note', async () => {
    const k = await invoiceKit()
    const { topUp, invoice } = await k.topUp(10 * GB, 600)
    await k.setUsed(105 * GB)
    const res = await k.call('POST', `/topups/${topUp.id}/reverse`, { reason: 'wrong subscriber' }, key())
    expect(res.status).toBe(200)
    expect(res.body.creditNote.invoiceId).toBe(invoice.id)
    expect(res.body.reversedTopUp.reversedAt).toBeDefined()
    expect((await k.agentLimit()).limitBytes).toBe(100 * GB)
    const again = await k.call('POST', `/topups/${topUp.id}/reverse`, { reason: 'again' }, key())
    expect(again.status).toBe(422)
    expect(again.body.error.code).toBe('not_reversible')
  })

  it('is refused once the top-up period is over, changing nothing', async () => {
    const k = await invoiceKit()
    const { topUp } = await k.topUp(10 * GB, 600)
    k.clock.advance(31 * 86_400_000)
    const before = k.snapshot()
    const res = await k.call('POST', `/topups/${topUp.id}/reverse`, { reason: 'late' }, key())
    expect(res.status).toBe(422)
    expect(res.body.error.message).toContain('only within the period')
    expect(k.snapshot()).toBe(before)
  })

  it('refuses an empty reason', async () => {
    const k = await invoiceKit()
    const { topUp } = await k.topUp(10 * GB, 600)
    expect((await k.call('POST', `/topups/${topUp.id}/reverse`, { reason: ' ' }, key())).status).toBe(400)
  })
})
