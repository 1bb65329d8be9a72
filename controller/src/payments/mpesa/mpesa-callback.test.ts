import { type Random, seededRandom } from '@capd/protocol/testing'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { placeOrder } from '../../domain/orders.js'
import { webhookRefusedKey } from '../../notify/operator-events.js'
import {
  CANCELLED,
  cancelledCallback,
  PAID,
  paidCallback,
  TEST_MPESA_CONFIG,
} from './fake-daraja-test-kit.js'
import { kes, mpesaFixture } from './mpesa-test-kit.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' }

describe('M-Pesa callback', () => {
  it('applies a push the STK Query says is paid, once, with the receipt as the payment reference', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    f.daraja.state.answers.set(checkoutRequestId, PAID)
    const reply = await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100, 'QKL1XYZ9AB'))
    expect(reply).toEqual({ status: 200, body: ACCEPTED })
    expect(f.daraja.state.queries).toEqual([checkoutRequestId])
    const { topUps, invoices, payments } = f.rows()
    expect(topUps).toHaveLength(1)
    expect(invoices).toEqual([
      expect.objectContaining({ status: 'paid', paidWith: 'mpesa', total: kes(10000) }),
    ])
    expect(payments).toEqual([
      expect.objectContaining({ method: 'mpesa', providerRef: 'QKL1XYZ9AB', amount: kes(10000) }),
    ])
    expect(f.data.orders[order.id]!.status).toBe('applied')
    expect(f.data.subscribers[f.sub.id]!.limitTerms?.limitBytes).toBe(15e9)
    // Daraja retrying the callback is answered without asking it again, and changes nothing.
    const before = f.snapshot()
    expect(await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100, 'QKL1XYZ9AB'))).toEqual({
      status: 200,
      body: ACCEPTED,
    })
    expect(f.daraja.state.queries).toHaveLength(1)
    expect(f.snapshot()).toBe(before)
  })

  it("answers on the portal checkout's URL form too (`/callback/<order>/<secret>`), with the same checks", async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    f.daraja.state.answers.set(checkoutRequestId, PAID)
    expect(
      (await f.callback(order.id, 'wrong', paidCallback(checkoutRequestId, 100), '/callback')).status,
    ).toBe(404)
    expect(await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100), '/callback')).toEqual({
      status: 200,
      body: ACCEPTED,
    })
    expect(f.data.orders[order.id]!.status).toBe('applied')
  })

  it('applies nothing on a callback alone: the query has to say paid', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    // The query still says processing: Daraja is told to try again, nothing is applied.
    const reply = await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100))
    expect(reply.status).toBe(503)
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
    expect(f.data.orders[order.id]!.status).toBe('awaiting_payment')
    // The query says the customer cancelled, whatever the callback claims.
    f.daraja.state.answers.set(checkoutRequestId, CANCELLED)
    expect(await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100))).toEqual({
      status: 200,
      body: ACCEPTED,
    })
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
    expect(f.data.orders[order.id]).toMatchObject({
      status: 'failed',
      closedReason: 'the payment request was cancelled on the phone',
    })
  })

  it('a cancelled push fails the order in plain words, and a late "paid" callback for it changes nothing', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    f.daraja.state.answers.set(checkoutRequestId, {
      resultCode: '1037',
      resultDesc: 'DS timeout user cannot be reached',
    })
    expect((await f.callback(order.id, secret, cancelledCallback(checkoutRequestId))).status).toBe(200)
    expect(f.data.orders[order.id]).toMatchObject({
      status: 'failed',
      closedReason: expect.stringMatching(/phone could not be reached/),
    })
    expect((await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100))).status).toBe(200)
    expect(f.rows().topUps).toHaveLength(0)
  })

  it('refuses forged callbacks with 404, asks Daraja nothing and applies nothing', async () => {
    const f = await mpesaFixture(server)
    const bob = await f.newSubscriber('bob', '10.0.0.2')
    const a = await f.buy()
    const b = await f.buy(bob.id)
    for (const id of [a.checkoutRequestId, b.checkoutRequestId]) f.daraja.state.answers.set(id, PAID)
    const stripeOrder = await f.store.transact((tx) =>
      placeOrder(tx, f.env, 'customer:x', f.sub.id, {
        request: { kind: 'topup', topUpPlanId: f.pack.id },
        provider: 'stripe',
        callbackSecret: a.secret,
      }),
    )
    const forgeries: [string, string, unknown][] = [
      [a.order.id, 'not-the-secret', paidCallback(a.checkoutRequestId, 100)],
      [a.order.id, b.secret, paidCallback(a.checkoutRequestId, 100)],
      // A's own secret, B's push: B's money must not pay A's order, nor B's through A's door.
      [a.order.id, a.secret, paidCallback(b.checkoutRequestId, 100)],
      ['ord_unknown', a.secret, paidCallback(a.checkoutRequestId, 100)],
      [stripeOrder.id, a.secret, paidCallback(a.checkoutRequestId, 100)],
    ]
    const afterOrder = books(f.data)
    for (const [orderId, secret, body] of forgeries) {
      expect((await f.callback(orderId, secret, body)).status, `${orderId}/${secret}`).toBe(404)
    }
    expect(books(f.data)).toBe(afterOrder)
    expect(f.daraja.state.queries).toEqual([])
    // Staff hear of it, once in the hour however many arrive.
    expect(Object.keys(f.data.notifications)).toEqual([webhookRefusedKey('mpesa', f.env.clock.now())])
  })

  it('refuses a malformed body on the right path with 400 and changes nothing', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    f.daraja.state.answers.set(checkoutRequestId, PAID)
    const before = books(f.data)
    for (const body of ['not json', '{}', JSON.stringify({ Body: { stkCallback: { ResultCode: 0 } } })]) {
      expect((await f.callback(order.id, secret, body)).status).toBe(400)
    }
    expect(books(f.data)).toBe(before)
    expect(Object.keys(f.data.notifications)).toEqual([webhookRefusedKey('mpesa', f.env.clock.now())])
  })

  it('a callback naming another amount applies nothing and keeps the mismatch for the operator', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    f.daraja.state.answers.set(checkoutRequestId, PAID)
    expect((await f.callback(order.id, secret, paidCallback(checkoutRequestId, 1))).status).toBe(200)
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
    expect(f.data.orders[order.id]).toMatchObject({
      status: 'awaiting_payment',
      mismatch: { amount: kes(100) },
    })
    // Neither a replay with the right amount nor a check applies it behind the operator's back.
    await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100))
    await f.check(order.id)
    expect(f.rows().topUps).toHaveLength(0)
  })

  it('Daraja down while the callback comes: left waiting, then check() applies it once', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    f.daraja.state.answers.set(checkoutRequestId, 'down')
    expect((await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100))).status).toBe(503)
    await f.check(order.id)
    expect(f.data.orders[order.id]!.status).toBe('awaiting_payment')
    f.daraja.state.answers.set(checkoutRequestId, PAID)
    await f.check(order.id)
    await f.check(order.id)
    expect(await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100))).toEqual({
      status: 200,
      body: ACCEPTED,
    })
    expect(f.rows().topUps).toHaveLength(1)
    expect(f.rows().payments).toEqual([expect.objectContaining({ providerRef: checkoutRequestId })])
    expect(f.data.orders[order.id]!.status).toBe('applied')
  })

  it('a push whose id was never stored (crash after the push) is adopted by its own callback', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy()
    const { providerRef: _stored, ...unrecorded } = order
    await f.store.transact((tx) => tx.orders.update(unrecorded))
    expect(f.data.orders[order.id]!.providerRef).toBeUndefined()
    f.daraja.state.answers.set(checkoutRequestId, PAID)
    expect((await f.callback(order.id, secret, paidCallback(checkoutRequestId, 100))).status).toBe(200)
    expect(f.data.orders[order.id]).toMatchObject({ status: 'applied', providerRef: checkoutRequestId })
  })

  it('duplicates, checks and forgeries in any order and at once apply the paid push exactly once', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = seededRandom(seed)
      const f = await mpesaFixture(server)
      const bob = await f.newSubscriber('bob', '10.0.0.2')
      const a = await f.buy()
      const b = await f.buy(bob.id)
      const steps: (() => Promise<unknown>)[] = [
        ...Array.from(
          { length: random.int(2, 6) },
          () => () => f.callback(a.order.id, a.secret, paidCallback(a.checkoutRequestId, 100)),
        ),
        ...Array.from({ length: random.int(0, 3) }, () => () => f.check(a.order.id)),
        () => f.callback(a.order.id, b.secret, paidCallback(a.checkoutRequestId, 100)),
        () => f.callback(a.order.id, a.secret, paidCallback(b.checkoutRequestId, 100)),
        () => f.callback(b.order.id, b.secret, paidCallback(a.checkoutRequestId, 100)),
        // Daraja's verdict arrives somewhere among them; before it the query says processing or fails.
        async () => f.daraja.state.answers.set(a.checkoutRequestId, PAID),
      ]
      if (random.next() < 0.5) f.daraja.state.answers.set(a.checkoutRequestId, 'down')
      for (const batch of batches(shuffled(steps, random), random))
        await Promise.all(batch.map((step) => step()))
      await f.check(a.order.id) // the reconcile after everything
      const { topUps, payments, invoices } = f.rows()
      expect(topUps, `seed ${seed}`).toHaveLength(1)
      expect(topUps[0]!.subscriberId, `seed ${seed}`).toBe(f.sub.id)
      expect(payments, `seed ${seed}`).toHaveLength(1)
      expect(invoices, `seed ${seed}`).toHaveLength(1)
      expect(f.data.orders[a.order.id]!.status, `seed ${seed}`).toBe('applied')
      expect(f.data.orders[b.order.id]!.status, `seed ${seed}`).toBe('awaiting_payment')
      expect(f.data.paymentEvents[`mpesa:${a.checkoutRequestId}`], `seed ${seed}`).toMatchObject({
        outcome: 'applied',
      })
      const logged = f.log.join('\n')
      expect(logged).toContain('wrong secret')
      for (const secret of [
        a.secret,
        b.secret,
        TEST_MPESA_CONFIG.passkey,
        TEST_MPESA_CONFIG.consumerSecret,
      ]) {
        expect(logged, `seed ${seed}`).not.toContain(secret)
      }
    }
  }, 60_000)
})

function shuffled<T>(items: T[], random: Random): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Consecutive groups of 1–3 steps: each group runs at once. */
function batches<T>(items: T[], random: Random): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; ) {
    const size = random.int(1, 3)
    out.push(items.slice(i, i + size))
    i += size
  }
  return out
}

/** Everything but the staff alerts a refusal decides (the one change a refused callback makes). */
function books(data: object): string {
  const { notifications: _, deliveries: _d, ...rest } = data as Record<string, unknown>
  return JSON.stringify(rest)
}
