/**
 * One checkout retried against several controllers on one store: no in-process sharing between
 * them, so each may ask the provider; the first answer kept stands and the others are closed.
 */
import { describe, expect, it } from 'vitest'
import type { Store } from '../store/store.js'
import { testApp } from '../testing/test-app.js'
import { TestCardProvider } from '../testing/test-card-provider.js'
import { type CheckoutInput, checkout } from './checkout.js'
import type { PaymentProvider } from './provider.js'
import { onSessionEvent } from './stripe/stripe-events.js'

/** Another controller's view of the same store: checkout's per-process sharing is keyed by the Store object. */
function otherController(store: Store): Store {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function setup() {
  const t = await testApp()
  const { subscriber, topUpPlan } = await t.seed()
  const card = new TestCardProvider()
  // Stripe having forgotten its idempotency key: every start opens a session of its own.
  card.freshRefs = true
  // Each controller's call to the provider answers after its own (random) time on the network.
  const provider: PaymentProvider = {
    id: card.id,
    label: card.label,
    restartable: true,
    start: async (request) => {
      const answer = await card.start(request)
      await sleep(Math.random() * 6)
      return answer
    },
    abandon: (ref) => card.abandon(ref),
  }
  const input = (key: string): CheckoutInput => ({
    subscriberId: subscriber.id,
    actor: `customer:${subscriber.id}`,
    request: { kind: 'topup', topUpPlanId: topUpPlan.id },
    provider,
    idempotency: { scope: `customer:${subscriber.id}|${key}`, hash: 'same-request' },
    urls: (order, secret) => ({
      returnUrl: `https://isp.test/portal/orders/${order.id}`,
      cancelUrl: `https://isp.test/portal/orders/${order.id}`,
      callbackUrl: `https://isp.test/webhooks/stripe/callback/${order.id}/${secret}`,
    }),
  })
  return { ...t, card, input }
}

describe('checkout across controllers', () => {
  it('keeps the first checkout recorded: every controller answers with it, the other sessions are closed', async () => {
    const t = await setup()
    let raced = 0
    for (let trial = 0; trial < 25; trial++) {
      const startedBefore = t.card.started.length
      const abandonedBefore = t.card.abandoned.length
      const controllers = 2 + Math.floor(Math.random() * 3)
      const results = await Promise.all(
        Array.from({ length: controllers }, async () => {
          await sleep(Math.random() * 3)
          return checkout({ store: otherController(t.store), env: t.env }, t.input(`k${trial}`))
        }),
      )
      const order = t.data.orders[results[0]!.order.id]!
      expect(new Set(results.map((r) => r.order.id)).size).toBe(1)
      expect(results.filter((r) => !r.replayed)).toHaveLength(1)
      for (const r of results) {
        expect(r.order.providerRef).toBe(order.providerRef)
        expect(r.order.checkoutUrl).toBe(order.checkoutUrl)
      }
      // Every session opened but the one kept was closed at the provider: none is left to pay.
      const opened = t.card.started.length - startedBefore
      const closed = t.card.abandoned.slice(abandonedBefore)
      expect(closed).toHaveLength(opened - 1)
      expect(closed).not.toContain(order.providerRef)
      expect(new Set(closed).size).toBe(closed.length)
      if (opened > 1) raced += 1
    }
    // The race this is about happened (several sessions for one order), not only clean replays.
    expect(raced).toBeGreaterThan(0)
  })

  it('settles the order from its kept session; the closed session expiring changes nothing', async () => {
    const t = await setup()
    // Hold every start until all controllers have asked, so there are surely two sessions.
    let open!: () => void
    t.card.gate = new Promise((resolve) => {
      open = resolve
    })
    const racing = [0, 1].map(() =>
      checkout({ store: otherController(t.store), env: t.env }, t.input('paid')),
    )
    while (t.card.started.length < 2) await sleep(1)
    open()
    const [first] = await Promise.all(racing)
    const order = t.data.orders[first!.order.id]!
    const [closed] = t.card.abandoned
    expect(closed).toBeDefined()
    const session = (id: string, payment_status: string) => ({
      id,
      client_reference_id: order.id,
      metadata: { orderId: order.id },
      payment_status,
      amount_total: order.amount.amount,
      currency: order.amount.currency.toLowerCase(),
    })
    const expired = await t.store.transact((tx) =>
      onSessionEvent(tx, t.env, 'checkout.session.expired', session(closed!, 'unpaid')),
    )
    expect(expired).toEqual({ outcome: 'other_session', orderId: order.id })
    expect(t.data.orders[order.id]!.status).toBe('awaiting_payment')
    const paid = await t.store.transact((tx) =>
      onSessionEvent(tx, t.env, 'checkout.session.completed', session(order.providerRef!, 'paid')),
    )
    expect(paid.outcome).toBe('applied')
    expect(t.data.orders[order.id]!.status).toBe('applied')
    expect(Object.keys(t.data.topUps)).toHaveLength(1)
  })
})
