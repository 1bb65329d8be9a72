/**
 * `POST /webhooks/mpesa/:orderId/:secret`: Daraja's STK callback. It carries no signature, so it
 * is never trusted alone: the secret in the path must be the order's, the CheckoutRequestID the
 * order's push, and the STK Query must say the push was paid before anything is applied.
 */
import { timingSafeEqual } from 'node:crypto'
import { type Context, Hono } from 'hono'
import { secretHash } from '../../domain/orders.js'
import { noteWebhookRefused } from '../../notify/operator-events.js'
import type { Order } from '../../store/entities.js'
import type { ProviderDeps } from '../provider.js'
import type { DarajaClient } from './daraja-client.js'
import { callbackPayment, StkCallback } from './daraja-wire.js'
import { confirmStk } from './stk-confirm.js'
import { stkOutcome } from './stk-outcome.js'

/** What Daraja wants back so it stops calling. */
const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' }

export function mpesaCallbackRoutes(deps: ProviderDeps, daraja: DarajaClient): Hono {
  const log = deps.logger.child({ provider: 'mpesa' })
  const app = new Hono()
  const mpesaCallback = async (c: Context) => {
    const orderId = c.req.param('orderId') ?? ''
    const secret = c.req.param('secret') ?? ''
    const order = await deps.store.peek((tx) => tx.orders.get(orderId))
    // One answer for an unknown order, another provider's order and a wrong secret: none says which.
    if (order?.provider !== 'mpesa' || !secretMatches(order, secret)) {
      log.warn({ orderId }, 'M-Pesa callback for an unknown order or with a wrong secret: refused')
      await noteWebhookRefused(deps, 'mpesa', 'a callback for an unknown order or with a wrong secret')
      return c.json({ error: { code: 'not_found', message: 'no such callback' } }, 404)
    }
    const parsed = StkCallback.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) {
      await noteWebhookRefused(deps, 'mpesa', 'a callback that is not an STK callback')
      return c.json({ error: { code: 'invalid_request', message: 'not an STK callback' } }, 400)
    }
    const checkoutRequestId = parsed.data.Body.stkCallback.CheckoutRequestID
    if (order.providerRef !== undefined && order.providerRef !== checkoutRequestId) {
      log.warn({ orderId, checkoutRequestId }, 'M-Pesa callback names another push than its order: ignored')
      await noteWebhookRefused(deps, 'mpesa', 'a callback naming another payment request than its order')
      return c.json({ error: { code: 'not_found', message: 'no such callback' } }, 404)
    }
    // A push already decided needs no second question to Daraja (retried callbacks are common).
    if (await deps.store.peek((tx) => tx.paymentEvents.get(`mpesa:${checkoutRequestId}`))) {
      return c.json(ACCEPTED)
    }
    const outcome = stkOutcome(await daraja.stkQuery(checkoutRequestId))
    const result = await confirmStk(deps, {
      orderId,
      checkoutRequestId,
      outcome,
      paid: callbackPayment(parsed.data),
    })
    log.info({ orderId, checkoutRequestId, result }, 'M-Pesa callback')
    if (result === 'pending') {
      // The query could not decide: say so, so Daraja may call again; `check` settles it otherwise.
      return c.json({ ResultCode: 1, ResultDesc: 'Not yet confirmed; try again later' }, 503)
    }
    if (result === 'mismatch')
      log.warn({ orderId, checkoutRequestId }, 'M-Pesa paid another amount than the order')
    return c.json(ACCEPTED)
  }
  app.post('/:orderId/:secret', mpesaCallback)
  // The portal's checkout names callback URLs `/webhooks/<provider>/callback/<order>/<secret>`.
  app.post('/callback/:orderId/:secret', mpesaCallback)
  return app
}

function secretMatches(order: Order, secret: string): boolean {
  if (!order.callbackHash) return false
  const given = Buffer.from(secretHash(secret), 'hex')
  const expected = Buffer.from(order.callbackHash, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
