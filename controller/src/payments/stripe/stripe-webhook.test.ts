import { silentLogger } from '@capd/log'
import { seededRandom } from '@capd/protocol/testing'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { webhookRefusedKey } from '../../notify/operator-events.js'
import { StoreFailedError } from '../../store/document-store.js'
import type { Store } from '../../store/store.js'
import { StripeProvider } from './stripe-provider.js'
import {
  SECRET_KEY,
  sessionEvent,
  stripeFixture,
  stripeSessions,
  stripeSignature,
  usd,
  WEBHOOK_SECRET,
} from './stripe-test-kit.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
beforeEach(() => stripeSessions(server))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const COMPLETED = 'checkout.session.completed'

describe('the Stripe webhook', () => {
  it('applies a paid session exactly once, whatever the deliveries, their order and their concurrency', async () => {
    // One controller through all the seeds: each seed's orders meet the state the others left.
    const f = await stripeFixture()
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed)
      const paid = await f.buyByCard()
      const expired = await f.buyByCard()
      const short = await f.buyByCard()
      const ofOrder = <T extends { orderId?: string }>(rows: T[], id: string) =>
        rows.filter((r) => r.orderId === id)
      expect(ofOrder(f.rows().payments, paid.order.id), `seed ${seed}`).toHaveLength(0)
      const evt = (name: string) => `evt_${seed}_${name}`
      const paidEvent = (eventId: string) =>
        sessionEvent(eventId, COMPLETED, { id: paid.sessionId, orderId: paid.order.id })
      // Seven paid completions of one session: Stripe's retries (same event id) and distinct events.
      const bodies = [
        ...['a', 'a', 'a', 'b', 'b', 'c', 'd'].map((name) => paidEvent(evt(name))),
        sessionEvent(evt('unpaid'), COMPLETED, {
          id: paid.sessionId,
          orderId: paid.order.id,
          payment_status: 'unpaid',
        }),
        sessionEvent(evt('exp'), 'checkout.session.expired', {
          id: expired.sessionId,
          orderId: expired.order.id,
        }),
        sessionEvent(evt('short'), COMPLETED, {
          id: short.sessionId,
          orderId: short.order.id,
          amount_total: 499,
        }),
        JSON.stringify({
          id: evt('other'),
          type: 'payment_intent.succeeded',
          data: { object: { id: 'pi_1' } },
        }),
      ].sort(() => random.next() - 0.5)
      // Five at once, the rest one by one, at a random place in the sequence.
      const at = random.int(0, bodies.length - 5)
      const answers: Response[] = []
      for (const body of bodies.slice(0, at)) answers.push(await f.deliver(body))
      answers.push(...(await Promise.all(bodies.slice(at, at + 5).map((body) => f.deliver(body)))))
      for (const body of bodies.slice(at + 5)) answers.push(await f.deliver(body))
      expect(
        answers.map((a) => a.status),
        `seed ${seed}`,
      ).toEqual(bodies.map(() => 200))

      const { topUps, invoices, payments } = f.rows()
      const topUp = ofOrder(topUps, paid.order.id)
      expect(topUp, `seed ${seed}`).toHaveLength(1)
      expect(topUps, `seed ${seed}`).toHaveLength(seed)
      expect(payments, `seed ${seed}`).toHaveLength(seed)
      expect(ofOrder(payments, paid.order.id), `seed ${seed}`).toEqual([
        expect.objectContaining({ amount: usd(500), method: 'card', providerRef: paid.sessionId }),
      ])
      expect(ofOrder(invoices, paid.order.id), `seed ${seed}`).toEqual([
        expect.objectContaining({ status: 'paid', paidWith: 'card', total: usd(500), topUpId: topUp[0]!.id }),
      ])
      expect(f.data.orders[paid.order.id]).toMatchObject({ status: 'applied', topUpId: topUp[0]!.id })
      expect(f.data.orders[expired.order.id]).toMatchObject({ status: 'expired' })
      expect(f.data.orders[short.order.id]).toMatchObject({
        status: 'awaiting_payment',
        mismatch: { amount: usd(499), ref: short.sessionId },
      })
      // One de-dup row per distinct session event; the unknown type is not kept.
      expect(
        Object.keys(f.data.paymentEvents)
          .filter((id) => id.startsWith(`stripe:${evt('')}`))
          .sort(),
        `seed ${seed}`,
      ).toEqual(['a', 'b', 'c', 'd', 'exp', 'short', 'unpaid'].map((name) => `stripe:${evt(name)}`))
      expect(f.data.subscribers[f.sub.id]!.limitTerms?.limitBytes).toBe(10e9 + seed * 5e9)
    }
  }, 60_000)

  it('an unpaid completion applies nothing; its async success applies it, its async failure closes it', async () => {
    const f = await stripeFixture()
    const a = await f.buyByCard()
    const b = await f.buyByCard()
    for (const o of [a, b]) {
      const body = sessionEvent(`evt_${o.order.id}`, COMPLETED, {
        id: o.sessionId,
        orderId: o.order.id,
        payment_status: 'unpaid',
      })
      expect((await f.deliver(body)).status).toBe(200)
    }
    expect(f.rows().payments).toHaveLength(0)
    await f.deliver(
      sessionEvent('evt_ok', 'checkout.session.async_payment_succeeded', {
        id: a.sessionId,
        orderId: a.order.id,
      }),
    )
    await f.deliver(
      sessionEvent('evt_no', 'checkout.session.async_payment_failed', {
        id: b.sessionId,
        orderId: b.order.id,
      }),
    )
    expect(f.data.orders[a.order.id]!.status).toBe('applied')
    expect(f.data.orders[b.order.id]).toMatchObject({
      status: 'failed',
      closedReason: expect.stringMatching(/did not go through/),
    })
    expect(f.rows().payments).toHaveLength(1)
  })

  it('money for the balance paid by card credits the balance once', async () => {
    const f = await stripeFixture()
    const { order, sessionId } = await f.buyByCard({ kind: 'balance', amount: usd(2500) })
    const body = (eventId: string) =>
      sessionEvent(eventId, COMPLETED, { id: sessionId, orderId: order.id, amount_total: 2500 })
    await Promise.all(['evt_1', 'evt_1', 'evt_2'].map((id) => f.deliver(body(id))))
    expect(f.data.orders[order.id]!.status).toBe('applied')
    expect(f.rows().payments).toEqual([expect.objectContaining({ orderId: order.id, amount: usd(2500) })])
    expect(f.data.subscribers[f.sub.id]!.balance).toEqual(usd(2500))
    expect(f.rows().topUps).toHaveLength(0)
  })

  it('refuses with 400 and changes nothing when the signature does not hold', async () => {
    const f = await stripeFixture()
    const { order, sessionId } = await f.buyByCard()
    const body = sessionEvent('evt_1', COMPLETED, { id: sessionId, orderId: order.id })
    const nowS = Math.floor(f.env.clock.now() / 1000)
    const forged = [
      { signature: null, code: 'missing_signature' },
      { secret: 'whsec_someone_else', code: 'bad_signature' },
      { signature: 'garbage', code: 'bad_signature' },
      {
        signature: stripeSignature(body.replace('"amount_total":500', '"amount_total":5'), nowS),
        code: 'bad_signature',
      },
      { signature: stripeSignature(body, nowS).replace(/^t=\d+/, `t=${nowS + 1}`), code: 'bad_signature' },
      { ageS: 301, code: 'stale_signature' },
      { ageS: 3600, code: 'stale_signature' },
    ]
    for (const { code, ...options } of forged) {
      const answer = await f.deliver(body, options)
      expect(answer.status, code).toBe(400)
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(code)
    }
    expect(f.data.paymentEvents).toEqual({})
    // Staff hear of it, once in the hour however many arrive.
    expect(Object.keys(f.data.notifications)).toEqual([webhookRefusedKey('stripe', f.env.clock.now())])
    expect(f.data.orders[order.id]!.status).toBe('awaiting_payment')
    expect(f.rows().payments).toHaveLength(0)
    // The very same event, signed now with the right secret, is taken (nothing above was remembered).
    expect((await f.deliver(body, { ageS: 299 })).status).toBe(200)
    expect(f.data.orders[order.id]!.status).toBe('applied')
  })

  it('a paid amount or currency that differs from the order applies nothing, is kept on the order and logged', async () => {
    const f = await stripeFixture()
    for (const paid of [{ amount_total: 5000 }, { currency: 'eur' }]) {
      const { order, sessionId } = await f.buyByCard()
      const answer = await f.deliver(
        sessionEvent(`evt_${order.id}`, COMPLETED, { id: sessionId, orderId: order.id, ...paid }),
      )
      expect(answer.status).toBe(200)
      expect(f.data.orders[order.id]).toMatchObject({
        status: 'awaiting_payment',
        mismatch: { ref: sessionId },
      })
    }
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
    const warnings = f.logRecords().filter((r) => r.level === 40 && r.outcome === 'mismatch')
    expect(warnings.map((w) => w.msg)).toEqual([
      expect.stringMatching(/paid \$50\.00 for an order of \$5\.00: nothing applied/),
      expect.stringMatching(/paid €5\.00 for an order of \$5\.00/),
    ])
  })

  it('an expired session never applies: a signed completion after the expiry is kept for the operator', async () => {
    const f = await stripeFixture()
    const { order, sessionId } = await f.buyByCard()
    await f.deliver(sessionEvent('evt_exp', 'checkout.session.expired', { id: sessionId, orderId: order.id }))
    const answer = await f.deliver(sessionEvent('evt_late', COMPLETED, { id: sessionId, orderId: order.id }))
    expect(answer.status).toBe(200)
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
    expect(f.data.orders[order.id]).toMatchObject({
      status: 'expired',
      mismatch: { amount: usd(500), ref: sessionId },
    })
    expect(f.logRecords().some((r) => r.outcome === 'paid_after_expiry' && r.level === 40)).toBe(true)
    expect(Object.values(f.data.audit).map((a) => a.action)).toContain('order.paid_after_expiry')
  })

  it("takes the session from the event when a crash lost Stripe's answer; another session's payment is kept for the operator", async () => {
    const f = await stripeFixture()
    const { order, sessionId } = await f.buyByCard()
    await f.store.transact(async (tx) => {
      const { providerRef: _, ...unset } = (await tx.orders.get(order.id))!
      await tx.orders.update(unset)
    })
    await f.deliver(
      sessionEvent('evt_1', COMPLETED, { id: 'cs_test_other', orderId: order.id, amount_total: 1 }),
    )
    // The first session named fills the blank (its wrong amount is a mismatch); another session is refused.
    expect(f.data.orders[order.id]).toMatchObject({
      providerRef: 'cs_test_other',
      status: 'awaiting_payment',
    })
    await f.deliver(
      sessionEvent('evt_2', COMPLETED, { id: sessionId, orderId: order.id, payment_status: 'unpaid' }),
    )
    expect(f.data.paymentEvents['stripe:evt_2']?.outcome).toBe('other_session')
    // Paid on the other session: money taken that this order's session does not account for.
    await f.deliver(sessionEvent('evt_3', COMPLETED, { id: sessionId, orderId: order.id }))
    expect(f.data.paymentEvents['stripe:evt_3']?.outcome).toBe('paid_other_session')
    expect(f.data.orders[order.id]).toMatchObject({
      status: 'awaiting_payment',
      mismatch: { amount: usd(500), ref: sessionId },
    })
    expect(f.rows().payments).toHaveLength(0)
  })

  it('answers 200 and changes nothing for sessions that are not its card orders', async () => {
    const f = await stripeFixture()
    const { order, sessionId } = await f.buyByCard()
    const bodies = [
      sessionEvent('evt_1', COMPLETED, { id: 'cs_x', orderId: 'ord_unknown' }),
      sessionEvent('evt_2', COMPLETED, { id: 'cs_y', orderId: null }),
      JSON.stringify({
        id: 'evt_3',
        type: COMPLETED,
        data: {
          object: {
            id: sessionId,
            client_reference_id: order.id,
            metadata: { orderId: 'ord_other' },
            payment_status: 'paid',
            amount_total: 500,
            currency: 'usd',
          },
        },
      }),
    ]
    for (const body of bodies) expect((await f.deliver(body)).status).toBe(200)
    expect(Object.values(f.data.paymentEvents).map((e) => e.outcome)).toEqual([
      'unknown_order',
      'no_order',
      'reference_mismatch',
    ])
    expect(f.rows().payments).toHaveLength(0)
    expect(f.data.orders[order.id]!.status).toBe('awaiting_payment')
  })

  it('answers 503 when the store cannot write, so Stripe delivers again', async () => {
    const f = await stripeFixture()
    const { order, sessionId } = await f.buyByCard()
    const failing: Store = {
      transact: () => Promise.reject(new StoreFailedError(new Error('disk full'))),
      peek: (fn) => f.store.peek(fn),
      onCommit: (listener) => f.store.onCommit(listener),
      health: () => f.store.health(),
      close: () => f.store.close(),
    }
    const webhook = new StripeProvider({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET }).webhooks({
      store: failing,
      env: f.env,
      logger: silentLogger,
    })
    const body = sessionEvent('evt_1', COMPLETED, { id: sessionId, orderId: order.id })
    const signature = stripeSignature(body, Math.floor(f.env.clock.now() / 1000))
    const answer = await webhook.request('/', {
      method: 'POST',
      headers: { 'stripe-signature': signature },
      body,
    })
    expect(answer.status).toBe(503)
    expect(f.data.orders[order.id]!.status).toBe('awaiting_payment')
  })
})
