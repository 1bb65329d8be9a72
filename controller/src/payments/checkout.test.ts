import { describe, expect, it } from 'vitest'
import { settleOrder } from '../domain/order-settlement.js'
import { secretHash } from '../domain/orders.js'
import type { Store, Tx } from '../store/store.js'
import { testApp } from '../testing/test-app.js'
import { cardDeclined, TestCardProvider } from '../testing/test-card-provider.js'
import { type CheckoutInput, checkout } from './checkout.js'

async function setup() {
  const t = await testApp()
  const { subscriber, topUpPlan } = await t.seed()
  const card = new TestCardProvider()
  const input = (key: string, over: Partial<CheckoutInput> = {}): CheckoutInput => ({
    subscriberId: subscriber.id,
    actor: `customer:${subscriber.id}`,
    request: { kind: 'topup', topUpPlanId: topUpPlan.id },
    provider: card,
    idempotency: { scope: `customer:${subscriber.id}|${key}`, hash: 'same-request' },
    urls: (order, secret) => ({
      returnUrl: `https://isp.test/portal/orders/${order.id}`,
      cancelUrl: `https://isp.test/portal/orders/${order.id}`,
      callbackUrl: `https://isp.test/webhooks/stripe/callback/${order.id}/${secret}`,
    }),
    ...over,
  })
  const orders = () => Object.values(t.data.orders)
  return { ...t, subscriber, topUpPlan, card, input, orders }
}

/** The store, with its `n`th transaction from now failing as a crash would (nothing of it kept). */
function crashingAt(store: Store, n: number): Store {
  let count = 0
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'transact') return Reflect.get(target, prop, receiver)
      return <T>(fn: (tx: Tx) => Promise<T>) => {
        count += 1
        if (count !== n) return target.transact(fn)
        return target.transact(async (tx) => {
          await fn(tx)
          throw new Error('crash before the commit')
        })
      }
    },
  })
}

describe('checkout', () => {
  it('places one order per key: a retry gets the same order and checkout, the provider is asked once', async () => {
    const t = await setup()
    const first = await checkout(t, t.input('k1'))
    expect(first.replayed).toBe(false)
    expect(first.order).toMatchObject({ status: 'awaiting_payment', provider: 'stripe' })
    expect(first.order.checkoutUrl).toBe(`https://pay.example.test/${first.order.id}`)
    for (let i = 0; i < 3; i++) {
      const again = await checkout(t, t.input('k1'))
      expect(again.replayed).toBe(true)
      expect(again.order.id).toBe(first.order.id)
      expect(again.order.checkoutUrl).toBe(first.order.checkoutUrl)
    }
    expect(t.card.started).toHaveLength(1)
    expect(t.orders()).toHaveLength(1)
    // A new key is a new purchase.
    await checkout(t, t.input('k2'))
    expect(t.orders()).toHaveLength(2)
    expect(t.card.started).toHaveLength(2)
  })

  it('gives the provider a fresh callback secret per order, kept only as its hash', async () => {
    const t = await setup()
    await checkout(t, t.input('a'))
    await checkout(t, t.input('b'))
    const secrets = t.card.started.map((s) => s.callbackUrl.split('/').at(-1)!)
    expect(new Set(secrets).size).toBe(2)
    const stored = JSON.stringify(t.data)
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(32)
      expect(stored).not.toContain(secret)
    }
  })

  it('closes the order failed when the provider refuses, answers payment_failed, and answers the same on a retry', async () => {
    const t = await setup()
    for (const failure of [cardDeclined(), new Error('ECONNRESET')]) {
      t.card.failNext = failure
      const key = `fail-${failure.message}`
      await expect(checkout(t, t.input(key))).rejects.toMatchObject({ code: 'payment_failed' })
      await expect(checkout(t, t.input(key))).rejects.toMatchObject({ code: 'payment_failed' })
    }
    expect(t.orders().map((o) => o.status)).toEqual(['failed', 'failed'])
    expect(t.card.started).toHaveLength(2)
    expect(Object.keys(t.data.topUps)).toHaveLength(0)
  })

  it('runs concurrent requests with one key as one order and one provider call', async () => {
    const t = await setup()
    let open!: () => void
    t.card.gate = new Promise((resolve) => {
      open = resolve
    })
    const racing = Array.from({ length: 8 }, () => checkout(t, t.input('race')))
    // Let every request reach the provider's door before it answers.
    await new Promise((resolve) => setTimeout(resolve, 20))
    open()
    const results = await Promise.all(racing)
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1)
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    expect(results.every((r) => r.order.checkoutUrl === results[0]!.order.checkoutUrl)).toBe(true)
    expect(t.orders()).toHaveLength(1)
    expect(t.card.started).toHaveLength(1)
  })

  it('leaves an awaiting order a confirmation still settles when the crash comes before the checkout is kept', async () => {
    const t = await setup()
    // Transactions: 1 places the order, 2 reads it, 3 reads the subscriber, 4 keeps the checkout.
    const crashing = crashingAt(t.store, 4)
    await expect(checkout({ store: crashing, env: t.env }, t.input('crash'))).rejects.toThrow('crash')
    const [order] = t.orders()
    expect(order).toMatchObject({ status: 'awaiting_payment' })
    expect(order!.checkoutAtMs).toBeUndefined()
    expect(t.card.started).toHaveLength(1)
    // The provider's webhook names the order (its metadata): it applies, once.
    for (let i = 0; i < 2; i++) {
      await t.store.transact((tx) =>
        settleOrder(tx, t.env, {
          orderId: order!.id,
          provider: 'stripe',
          amount: order!.amount,
          method: 'card',
          actor: 'stripe',
        }),
      )
    }
    expect(t.data.orders[order!.id]!.status).toBe('applied')
    expect(Object.keys(t.data.topUps)).toHaveLength(1)
  })

  it('asks the provider again for the same order when the key is retried after such a crash', async () => {
    const t = await setup()
    await expect(checkout({ store: crashingAt(t.store, 4), env: t.env }, t.input('again'))).rejects.toThrow()
    const retried = await checkout(t, t.input('again'))
    expect(retried.replayed).toBe(true)
    expect(t.orders()).toHaveLength(1)
    expect(t.card.started.map((s) => s.order.id)).toEqual([retried.order.id, retried.order.id])
    expect(retried.order.checkoutUrl).toBeDefined()
    // The first attempt's secret no longer opens the callback; the retry's does.
    const [first, second] = t.card.started.map((s) => s.callbackUrl.split('/').at(-1)!)
    expect(first).not.toBe(second)
  })

  it('does not ask a provider that cannot take a second request for one order: the first one stands', async () => {
    const t = await setup()
    t.card.restartable = false
    await expect(checkout({ store: crashingAt(t.store, 4), env: t.env }, t.input('once'))).rejects.toThrow()
    const hash = t.orders()[0]!.callbackHash
    const retried = await checkout(t, t.input('once'))
    expect(retried.replayed).toBe(true)
    expect(retried.order).toMatchObject({ status: 'awaiting_payment' })
    expect(t.card.started).toHaveLength(1)
    // The first request's callback secret still opens the order's callback.
    expect(t.data.orders[retried.order.id]!.callbackHash).toBe(hash)
    expect(secretHash(t.card.started[0]!.callbackUrl.split('/').at(-1)!)).toBe(hash)
  })

  it('changes nothing for a request the domain refuses (an unknown top-up plan)', async () => {
    const t = await setup()
    const before = t.snapshot()
    await expect(
      checkout(t, t.input('bad', { request: { kind: 'topup', topUpPlanId: 'tpp_nope' } })),
    ).rejects.toThrow('does not exist')
    expect(t.snapshot()).toBe(before)
    expect(t.card.started).toHaveLength(0)
  })
})
