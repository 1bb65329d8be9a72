/**
 * One checkout retried against several controllers on one store: no in-process sharing between
 * them, so each may ask the provider; the first answer kept stands and the others are closed.
 */
import { describe, expect, it } from 'vitest'
import { Refusal } from '../domain/refusal.js'
import type { Store } from '../store/store.js'
import { testApp } from '../testing/test-app.js'
import { TestCardProvider } from '../testing/test-card-provider.js'
import { type CheckoutInput, checkout } from './checkout.js'
import { type PaymentProvider, StartInProgress } from './provider.js'
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

  /**
   * Two controllers start one order, both asking the provider; the second's call fails (`how`)
   * before the first has kept its answer, or once it has.
   */
  async function secondFails(how: 'in_progress' | 'refused', when: 'before_kept' | 'after_kept') {
    const t = await setup()
    let calls = 0
    let releaseFirst!: () => void
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve
    })
    const kept = () => Object.values(t.data.orders).some((o) => o.checkoutAtMs !== undefined)
    const provider: PaymentProvider = {
      ...t.input('x').provider,
      start: async (request) => {
        calls += 1
        if (calls === 1) {
          await firstHeld
          return t.card.start(request)
        }
        if (when === 'after_kept') {
          releaseFirst()
          while (!kept()) await sleep(1)
        }
        if (how === 'in_progress') throw new StartInProgress()
        throw new Refusal('payment_failed', 'The card payment service turned the payment down.')
      },
    }
    const input = { ...t.input('one-order'), provider }
    const first = checkout({ store: otherController(t.store), env: t.env }, input)
    while (calls < 1) await sleep(1)
    const outcome = await checkout({ store: otherController(t.store), env: t.env }, input).then(
      (r) => r,
      (err: unknown) => err as Refusal,
    )
    releaseFirst()
    return { t, kept: await first, outcome, input }
  }

  it('a start still running at the provider for another controller fails nothing: the kept page is answered, or "try again"', async () => {
    const after = await secondFails('in_progress', 'after_kept')
    expect(after.outcome).not.toBeInstanceOf(Refusal)
    expect((after.outcome as { order: { providerRef?: string } }).order.providerRef).toBe(
      after.kept.order.providerRef,
    )

    const during = await secondFails('in_progress', 'before_kept')
    expect(during.outcome).toBeInstanceOf(Refusal)
    expect((during.outcome as Refusal).code).toBe('conflict')
    const order = during.t.data.orders[during.kept.order.id]!
    expect(order.status).toBe('awaiting_payment')
    expect(order.providerRef).toBe(during.kept.order.providerRef)
    // Asked again, the same key answers with the page the first start kept.
    const again = await checkout({ store: during.t.store, env: during.t.env }, during.input)
    expect(again.order.checkoutUrl).toBe(order.checkoutUrl)
  })

  it('a provider refusal after another controller kept its page does not close the order under it', async () => {
    const { t, kept, outcome } = await secondFails('refused', 'after_kept')
    expect(outcome).not.toBeInstanceOf(Refusal)
    expect(t.data.orders[kept.order.id]!.status).toBe('awaiting_payment')
  })
})
