/** Card payments through Stripe Checkout: one Checkout Session per order, confirmed by Stripe's signed webhook. */
import { type Logger, silentLogger } from '@capd/log'
import type { Hono } from 'hono'
import Stripe from 'stripe'
import { Refusal } from '../../domain/refusal.js'
import {
  type CheckoutRequest,
  type CheckoutStarted,
  type PaymentProvider,
  type ProviderDeps,
  StartInProgress,
} from '../provider.js'
import type { StripeConfig } from './stripe-config.js'
import { stripeWebhooks } from './stripe-webhook.js'

export class StripeProvider implements PaymentProvider {
  readonly id = 'stripe'
  readonly label = 'Card'
  readonly restartable = true
  private readonly stripe: Stripe
  private readonly logger: Logger

  constructor(
    private readonly config: StripeConfig,
    options: { logger?: Logger } = {},
  ) {
    this.stripe = new Stripe(config.secretKey, { maxNetworkRetries: 2, timeout: 20_000, ...config.api })
    this.logger = options.logger ?? silentLogger
  }

  async start({ order, subscriber, returnUrl, cancelUrl }: CheckoutRequest): Promise<CheckoutStarted> {
    let session: Stripe.Checkout.Session
    try {
      session = await this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: order.amount.currency.toLowerCase(),
                unit_amount: order.amount.amount,
                product_data: { name: order.item.description },
              },
            },
          ],
          client_reference_id: order.id,
          metadata: { orderId: order.id },
          success_url: withSessionId(returnUrl),
          cancel_url: cancelUrl,
          ...(subscriber.email ? { customer_email: subscriber.email } : {}),
        },
        // A start retried after a crash gets the same session back, not a second one to pay.
        { idempotencyKey: order.id },
      )
    } catch (err) {
      // Another controller's request with this order's key is still running at Stripe.
      if (err instanceof Stripe.errors.StripeError && err.code === 'idempotency_key_in_use') {
        throw new StartInProgress()
      }
      this.logger.warn(
        { err: stripeError(err), orderId: order.id },
        'Stripe refused to create a Checkout Session',
      )
      throw new Refusal('payment_failed', plainReason(err))
    }
    if (!session.url) throw new Refusal('payment_failed', 'Stripe gave no page to pay on.')
    return { providerRef: session.id, checkoutUrl: session.url }
  }

  /** Expires a session nobody was sent to; its `checkout.session.expired` event changes no order. */
  async abandon(sessionId: string): Promise<void> {
    await this.stripe.checkout.sessions.expire(sessionId)
  }

  webhooks(deps: ProviderDeps): Hono {
    return stripeWebhooks(deps, {
      webhookSecret: this.config.webhookSecret,
      verify: (payload, header, secret, toleranceS, atMs) =>
        this.stripe.webhooks.constructEvent(payload, header, secret, toleranceS, undefined, atMs),
    })
  }
}

/** Stripe fills in `{CHECKOUT_SESSION_ID}`, so the page the customer returns to can name the session. */
function withSessionId(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}session_id={CHECKOUT_SESSION_ID}`
}

/** What the customer is told: no keys, no Stripe internals (those go to the log). */
function plainReason(err: unknown): string {
  if (err instanceof Stripe.errors.StripeConnectionError)
    return 'The card payment service could not be reached.'
  if (
    err instanceof Stripe.errors.StripeAuthenticationError ||
    err instanceof Stripe.errors.StripePermissionError
  ) {
    return 'Card payments are not set up correctly on this network.'
  }
  return 'The card payment service turned the payment down.'
}

/** The parts of a Stripe error worth logging (its message never holds the full key). */
function stripeError(err: unknown) {
  if (!(err instanceof Stripe.errors.StripeError)) return err
  return {
    type: err.type,
    code: err.code,
    statusCode: err.statusCode,
    message: err.message,
    requestId: err.requestId,
  }
}
