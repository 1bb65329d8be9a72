/**
 * The customer's purchases: a top-up paid by balance, card, M-Pesa or at the office; money for the
 * balance by card or M-Pesa; and their own orders. Every route acts for the session's subscriber.
 */
import { Money } from '@capd/protocol'
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import type { ApiDeps } from '../api/app-env.js'
import { requireIdempotencyKey, respondOnce, topUpAnswer } from '../api/idempotent-route.js'
import { idParam, readJson } from '../api/validate.js'
import { checkIdempotencyKey, requestHash } from '../domain/idempotency.js'
import { ApiError } from '../errors.js'
import { payFromBalance } from '../payments/balance-order.js'
import { loadOrderView, orderView } from '../payments/order-view.js'
import { csrfToken, type PortalEnv, portalSession, sameSiteOnly } from './portal-auth.js'
import { buyThrough } from './purchase.js'

const Phone = z.string().trim().min(5).max(32)

/** Strict: a body naming anything else (a `subscriberId`, say) is refused, not quietly ignored. */
export const PortalTopUp = z.strictObject({
  topUpPlanId: z.string().min(1).max(100),
  pay: z.enum(['balance', 'card', 'mpesa', 'offline']),
  phone: Phone.optional(),
})

export const PortalBalance = z.strictObject({
  amount: Money.refine((m) => m.amount > 0, { message: 'must be greater than 0' }),
  pay: z.enum(['card', 'mpesa']),
  phone: Phone.optional(),
})

/** The same answer for an order of someone else as for one that never existed. */
const noSuchOrder = () => new ApiError(404, 'not_found', 'There is no such order on your account.')

export function orderRoutes(api: Hono<PortalEnv>, deps: ApiDeps): void {
  const { store, env } = deps
  const session = portalSession(deps)

  api.post('/topups', sameSiteOnly(), session, csrfToken(), async (c) => {
    // Required here: a customer's double click or a flaky mobile connection must not buy twice.
    requireIdempotencyKey(c, 'send an Idempotency-Key header with a top-up')
    const input = await readJson(c, PortalTopUp)
    const id = c.var.subscriberId
    if (input.pay === 'balance') {
      return respondOnce(c, deps, input, async (tx) => {
        const result = await payFromBalance(tx, env, c.var.actor, id, input.topUpPlanId)
        const answer = await topUpAnswer(tx, env, result)
        return { ...answer, body: { ...(answer.body as object), order: orderView(result.order) } }
      })
    }
    const request = { kind: 'topup', topUpPlanId: input.topUpPlanId } as const
    return providerAnswer(c, deps, input, request, input.pay, input.phone)
  })

  api.post('/balance', sameSiteOnly(), session, csrfToken(), async (c) => {
    requireIdempotencyKey(c, 'send an Idempotency-Key header when adding money')
    const input = await readJson(c, PortalBalance)
    return providerAnswer(c, deps, input, { kind: 'balance', amount: input.amount }, input.pay, input.phone)
  })

  api.get('/orders/:id', session, async (c) => {
    const view = await store.transact(async (tx) => {
      const order = await tx.orders.get(idParam(c))
      return order?.subscriberId === c.var.subscriberId ? loadOrderView(tx, order) : undefined
    })
    if (!view) throw noSuchOrder()
    return c.json(view)
  })
}

/** Checkout through a provider; the answer names the order and, where there is one, where to pay. */
async function providerAnswer(
  c: Context<PortalEnv>,
  deps: ApiDeps,
  input: object,
  request: Parameters<typeof buyThrough>[2]['request'],
  way: 'card' | 'mpesa' | 'offline',
  phone: string | undefined,
): Promise<Response> {
  const key = checkIdempotencyKey(c.req.header('Idempotency-Key') ?? '')
  const { order, replayed } = await buyThrough(c, deps, {
    subscriberId: c.var.subscriberId,
    actor: c.var.actor,
    request,
    way,
    phone,
    idempotency: {
      scope: `${c.var.actor}|${key}`,
      hash: requestHash(`${c.req.method} ${c.req.path}`, input),
    },
  })
  if (replayed) c.header('Idempotent-Replayed', 'true')
  const view = await deps.store.transact((tx) => loadOrderView(tx, order))
  const body: Record<string, unknown> = { order: view }
  if (view.checkoutUrl) body.checkoutUrl = view.checkoutUrl
  if (view.proforma) body.proforma = view.proforma
  return c.json(body, 201)
}
