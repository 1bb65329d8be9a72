/**
 * A payment provider: asks the customer to pay an order, and hears back. Each provider is one
 * module implementing this (plus its webhook routes); the order and its settlement are the
 * domain's (domain/orders.ts, domain/order-settlement.ts), so a provider never applies anything
 * itself: it confirms a payment (settleOrder) or closes an order (closeOrder).
 */
import type { Logger } from '@capd/log'
import type { Hono } from 'hono'
import type { DomainEnv } from '../domain/env.js'
import type { Order, OrderProvider, Subscriber } from '../store/entities.js'
import type { Store } from '../store/store.js'

/** Providers that collect money from outside (not the balance). */
export type ProviderId = Exclude<OrderProvider, 'balance'>

/**
 * The provider is still starting this order's payment for another request (Stripe answers 409
 * `idempotency_key_in_use` while a request with the same key runs, as when two controllers start
 * one order at once): nothing failed, and the order must not be closed for it.
 */
export class StartInProgress extends Error {
  constructor(message = "the payment provider is still starting this order's payment for another request") {
    super(message)
    this.name = 'StartInProgress'
  }
}

export interface CheckoutRequest {
  order: Order
  subscriber: Subscriber
  /** Absolute URL of the order's page in the portal: where the customer comes back to. */
  returnUrl: string
  /** Absolute URL the customer lands on after cancelling at the provider. */
  cancelUrl: string
  /** Absolute URL, with the order's secret in it, for providers whose callbacks carry no signature. */
  callbackUrl: string
  /** What the customer typed for this payment (the M-Pesa phone number), already checked by the provider's schema. */
  payer?: string
}

export interface CheckoutStarted {
  /** The provider's handle for this payment (Checkout Session id, CheckoutRequestID). */
  providerRef?: string
  /** Where to send the customer to pay, when the provider hosts the payment page. */
  checkoutUrl?: string
}

/** What providers need to settle orders when they call back. */
export interface ProviderDeps {
  store: Store
  env: DomainEnv
  logger: Logger
}

export interface PaymentProvider {
  readonly id: ProviderId
  /** The customer-facing name of the way to pay ("Card", "M-Pesa"). */
  readonly label: string
  /**
   * Whether asking again for the same order is harmless (the provider de-duplicates by order, as
   * Stripe does with the order id as idempotency key). Default false: after a crash that lost the
   * provider's answer, a retry does not ask again (a second M-Pesa push would be a second charge
   * request); the first request's callback, on the order's own secret URL, still settles it.
   */
  readonly restartable?: boolean
  /** Whether the customer must type something to pay this way (M-Pesa: a phone number). */
  readonly payerField?: { name: 'phone'; label: string }
  /**
   * Whether the provider calls back to `callbackUrl` (M-Pesa): it is offered only when the
   * controller knows its public URL (`--public-url`), since a request's origin may be a LAN address.
   */
  readonly needsPublicUrl?: boolean
  /**
   * Asks the provider to collect the order's amount. Runs outside any store transaction (it waits
   * on the network); throws a Refusal `payment_failed` with a plain message when the provider says no.
   * May be asked again for the same order (a retry after a crash between placing the order and
   * recording the checkout): a provider that can should pass the order id as its own idempotency key.
   */
  start(request: CheckoutRequest): Promise<CheckoutStarted>
  /**
   * Closes a payment `start` opened that the order does not use (another start for the same order
   * was kept first), so nobody can pay it. Its page was never shown to anyone; this only tidies.
   */
  abandon?(providerRef: string): Promise<void>
  /**
   * Checks and normalises what the customer typed for `payerField` before an order is placed;
   * throws a field Refusal for a value the provider cannot use.
   */
  checkPayer?(typed: string | undefined): string
  /**
   * Asks the provider whether the order has been paid and settles or closes it accordingly (used
   * on the order page and by reconciliation); `deps` is where it settles.
   */
  check?(order: Order, deps: ProviderDeps): Promise<void>
  /** The routes the provider calls, mounted at `/webhooks/<id>`; they answer before any auth. */
  webhooks?(deps: ProviderDeps): Hono
}

/** The providers configured on this controller, by id; only these are offered to customers. */
export type PaymentProviders = ReadonlyMap<ProviderId, PaymentProvider>
