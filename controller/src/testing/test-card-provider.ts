/**
 * A card-like payment provider for tests: a hosted checkout page per order, confirmed (or failed)
 * by the test as the provider's webhook would. A double of the provider edge only; the orders,
 * their settlement and the portal are the real ones.
 */
import { Refusal } from '../domain/refusal.js'
import type { CheckoutRequest, CheckoutStarted, PaymentProvider } from '../payments/provider.js'

export class TestCardProvider implements PaymentProvider {
  readonly id = 'stripe' as const
  readonly label = 'Card'
  /** Whether asking twice for one order is harmless (see PaymentProvider.restartable). */
  restartable = true
  /** Every request to collect, in order. */
  readonly started: CheckoutRequest[] = []
  /** When set, the next start fails with it (a provider's refusal or a network error). */
  failNext: Error | undefined
  /** Lets a test hold a start open (to race retries against it). */
  gate: Promise<void> | undefined
  /** When set, every start gets a handle of its own (a provider that forgot its idempotency key). */
  freshRefs = false
  /** The handles `abandon` closed. */
  readonly abandoned: string[] = []

  async start(request: CheckoutRequest): Promise<CheckoutStarted> {
    const nth = this.started.push(request)
    await this.gate
    const failure = this.failNext
    this.failNext = undefined
    if (failure) throw failure
    const ref = this.freshRefs ? `${request.order.id}_${nth}` : request.order.id
    return { providerRef: `cs_test_${ref}`, checkoutUrl: `https://pay.example.test/${ref}` }
  }

  async abandon(providerRef: string): Promise<void> {
    this.abandoned.push(providerRef)
  }
}

export const cardDeclined = () =>
  new Refusal('payment_failed', 'The card provider is not taking payments right now.')
