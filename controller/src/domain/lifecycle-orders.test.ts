import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { limitsFor } from './limits.js'
import { settleOrder } from './order-settlement.js'
import { placeOrder } from './orders.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

async function fixture() {
  const t = await testApp()
  const { subscriber, topUpPlan } = await t.seed()
  const id = subscriber.id as string
  const order = (request: object) =>
    t.store.transact((tx) =>
      placeOrder(tx, t.env, 'customer:test', id, { request: request as never, provider: 'stripe' }),
    )
  const settle = (orderId: string, amount: number) =>
    t.store.transact((tx) =>
      settleOrder(tx, t.env, {
        orderId,
        provider: 'stripe',
        amount: usd(amount),
        method: 'card',
        actor: 'system',
      }),
    )
  const topUpOrder = () => order({ kind: 'topup', topUpPlanId: topUpPlan.id })
  return { ...t, id, order, settle, topUpOrder }
}

describe('orders around a suspension or a deletion', () => {
  it('sells a suspended customer no top-up, but still takes credit for the balance', async () => {
    const f = await fixture()
    await f.call('POST', `/subscribers/${f.id}/suspend`, { reason: 'Unpaid' })
    const before = f.snapshot()
    await expect(f.topUpOrder()).rejects.toMatchObject({ code: 'suspended' })
    expect(f.snapshot()).toBe(before)
    const credit = await f.order({ kind: 'balance', amount: usd(1000) })
    expect((await f.settle(credit.id, 1000)).outcome).toBe('applied')
    expect(f.data.subscribers[f.id]!.balance).toEqual(usd(1000))
  })

  it('applies an order paid before the suspension, without opening the subscriber', async () => {
    const f = await fixture()
    const placed = await f.topUpOrder()
    await f.call('POST', `/subscribers/${f.id}/suspend`, { reason: 'Unpaid' })
    expect((await f.settle(placed.id, 500)).outcome).toBe('applied')
    expect(Object.values(f.data.topUps)).toHaveLength(1)
    const [limit] = await f.store.transact((tx) => limitsFor(tx, f.env, [f.id]))
    expect(limit).toMatchObject({ limitBytes: 0, onCap: 'block' })
  })

  it('places no order for a deleted subscriber, but books one paid before it was deleted', async () => {
    const f = await fixture()
    const placed = await f.topUpOrder()
    await f.call('DELETE', `/subscribers/${f.id}`)
    await expect(f.topUpOrder()).rejects.toMatchObject({ code: 'deleted' })
    await expect(f.order({ kind: 'balance', amount: usd(100) })).rejects.toMatchObject({ code: 'deleted' })
    expect((await f.settle(placed.id, 500)).outcome).toBe('applied')
    expect(Object.values(f.data.payments)).toHaveLength(1)
  })
})
