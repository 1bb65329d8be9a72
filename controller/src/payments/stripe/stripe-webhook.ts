/**
 * `POST /webhooks/stripe`: Stripe's signed event, verified over the exact bytes received, acted on
 * and remembered by event id in one transaction. 400 when the signature does not hold (nothing
 * changed, Stripe shows it as failing); 200 for everything verified, including events capd ignores;
 * 5xx only when the store fails, so that Stripe delivers it again.
 */
import { Hono } from 'hono'
import { errorResponse } from '../../api/error-response.js'
import { firstDelivery } from '../../domain/order-settlement.js'
import { ApiError } from '../../errors.js'
import { noteWebhookRefused } from '../../notify/operator-events.js'
import type { ProviderDeps } from '../provider.js'
import {
  CheckoutSession,
  type EventOutcome,
  isSessionEvent,
  onSessionEvent,
  type SessionEventType,
} from './stripe-events.js'

/** How old a signature may be, in seconds: Stripe's own default, so a captured delivery cannot be replayed later. */
export const SIGNATURE_TOLERANCE_S = 300

/** The stripe package's verifier, passed in so this module needs no client. Throws on a bad signature. */
export type VerifyEvent = (
  payload: Buffer,
  header: string,
  secret: string,
  toleranceS: number,
  atMs: number,
) => { id: string; type: string; data: { object: unknown } }

export function stripeWebhooks(
  deps: ProviderDeps,
  options: { webhookSecret: string; verify: VerifyEvent },
): Hono {
  const { store, env, logger } = deps
  const app = new Hono()
  // Its own error answers, the API's shape: a store failure is a 503 Stripe retries. A refusal
  // (400) also alerts staff: a wrong webhook secret leaves paid orders waiting.
  app.onError(async (err, c) => {
    if (err instanceof ApiError && err.status === 400) await noteWebhookRefused(deps, 'stripe', err.message)
    return errorResponse(err, c)
  })
  app.post('/', async function stripeWebhook(c) {
    // The signature is over the bytes as sent: read them before anything parses the body.
    const payload = Buffer.from(await c.req.arrayBuffer())
    const header = c.req.header('stripe-signature')
    if (!header) throw refused('missing_signature', 'no Stripe-Signature header: not a delivery from Stripe')
    let event: ReturnType<VerifyEvent>
    try {
      event = options.verify(payload, header, options.webhookSecret, SIGNATURE_TOLERANCE_S, env.clock.now())
    } catch (err) {
      const old = /tolerance/i.test((err as Error).message)
      logger.warn({ old }, 'Stripe webhook refused: bad signature')
      throw old
        ? refused('stale_signature', `the signature is older than ${SIGNATURE_TOLERANCE_S} seconds`)
        : refused('bad_signature', 'the Stripe-Signature does not match this body and the webhook secret')
    }
    if (!isSessionEvent(event.type)) return c.json({ received: true, ignored: true })
    const session = CheckoutSession.safeParse(event.data?.object)
    if (!session.success) throw refused('bad_event', `${event.type} does not carry a Checkout Session`)
    const result = await handle(event.id, event.type, session.data)
    const log = logger.child({ eventId: event.id, type: event.type, sessionId: session.data.id })
    if (!result) log.debug('Stripe event delivered again: nothing to do')
    else if (result.warn) log.warn({ orderId: result.orderId, outcome: result.outcome }, result.warn)
    else log.info({ orderId: result.orderId, outcome: result.outcome }, 'Stripe event handled')
    return c.json({ received: true, ...(result ? { outcome: result.outcome } : { duplicate: true }) })
  })
  return app

  /** The event's effect and its de-dup row commit together; undefined when it was handled before. */
  async function handle(
    eventId: string,
    type: SessionEventType,
    session: CheckoutSession,
  ): Promise<EventOutcome | undefined> {
    let result: EventOutcome | undefined
    await store.transact((tx) =>
      firstDelivery(tx, env, 'stripe', eventId, type, async () => {
        result = await onSessionEvent(tx, env, type, session)
        return result
      }),
    )
    return result
  }
}

const refused = (code: string, message: string) => new ApiError(400, code, message)
