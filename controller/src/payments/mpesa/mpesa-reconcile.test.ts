import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OrderReconciler } from '../order-reconciler.js'
import type { ProviderId } from '../provider.js'
import { CANCELLED, PAID, paidCallback } from './fake-daraja-test-kit.js'
import { mpesaFixture } from './mpesa-test-kit.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const LIMITS = { maxOrdersPerPass: 10, expireAfterMs: 24 * 3600_000, minGapMs: 60_000 }

describe('reconciling M-Pesa orders whose callback never came', () => {
  it('settles the paid, fails the cancelled, leaves the unknown waiting, and expires the day-old', async () => {
    const f = await mpesaFixture(server)
    const old = await f.buy()
    f.clock.advance(25 * 3600_000)
    const [paid, cancelled, unknown, mismatched] = [
      await f.buy(),
      await f.buy(),
      await f.buy(),
      await f.buy(),
    ]
    f.daraja.state.answers.set(paid.checkoutRequestId, PAID)
    f.daraja.state.answers.set(cancelled.checkoutRequestId, CANCELLED)
    f.daraja.state.answers.set(unknown.checkoutRequestId, 'down')
    f.daraja.state.answers.set(mismatched.checkoutRequestId, PAID)
    await f.callback(mismatched.order.id, mismatched.secret, paidCallback(mismatched.checkoutRequestId, 99))
    f.daraja.state.queries.length = 0
    const reconciler = new OrderReconciler(
      f.deps,
      new Map<ProviderId, typeof f.provider>([['mpesa', f.provider]]),
      LIMITS,
    )

    expect(await reconciler.pass()).toBe(4)
    const status = (o: { order: { id: string } }) => f.data.orders[o.order.id]!.status
    expect([old, paid, cancelled, unknown, mismatched].map(status)).toEqual([
      'expired',
      'applied',
      'failed',
      'awaiting_payment',
      'awaiting_payment',
    ])
    // The order whose callback named another amount is the operator's: never asked about.
    expect(f.daraja.state.queries).not.toContain(mismatched.checkoutRequestId)
    expect(f.rows().topUps).toHaveLength(1)

    // Asked again only once the gap has passed, and then only what is still waiting.
    expect(await reconciler.pass()).toBe(0)
    f.clock.advance(60_000)
    f.daraja.state.answers.set(unknown.checkoutRequestId, PAID)
    expect(await reconciler.pass()).toBe(1)
    expect(status(unknown)).toBe('applied')
    expect(f.rows().topUps).toHaveLength(2)
  })

  it('asks about a bounded number of orders per pass, the newest first', async () => {
    const f = await mpesaFixture(server)
    const orders = []
    for (let i = 0; i < 5; i++) {
      orders.push(await f.buy())
      f.clock.advance(1000)
    }
    const providers = new Map<ProviderId, typeof f.provider>([['mpesa', f.provider]])
    const reconciler = new OrderReconciler(f.deps, providers, { ...LIMITS, maxOrdersPerPass: 2 })
    expect(await reconciler.pass()).toBe(2)
    expect(f.daraja.state.queries).toEqual([orders[4]!.checkoutRequestId, orders[3]!.checkoutRequestId])
    expect(await reconciler.pass()).toBe(2)
    expect(f.daraja.state.queries.slice(2)).toEqual([
      orders[2]!.checkoutRequestId,
      orders[1]!.checkoutRequestId,
    ])
  })
})
