/**
 * Asks providers about orders still waiting for them, for the callback that never came or came
 * while the provider could not confirm it. Bounded: a few orders a pass, each asked less often as
 * it ages, and given up (expired) after a day without a verdict; a later confirmation still pays it.
 */
import { closeOrder } from '../domain/order-settlement.js'
import type { Order } from '../store/entities.js'
import type { PaymentProviders, ProviderDeps, ProviderId } from './provider.js'

export interface ReconcileLimits {
  /** Orders asked about in one pass (the newest first). */
  maxOrdersPerPass: number
  /** How long an order may wait without a verdict before it is closed as expired. */
  expireAfterMs: number
  /** The shortest gap between two questions about one order; it grows to a tenth of the order's age. */
  minGapMs: number
}

export const DEFAULT_RECONCILE_LIMITS: ReconcileLimits = {
  maxOrdersPerPass: 20,
  expireAfterMs: 24 * 3600_000,
  minGapMs: 60_000,
}

export class OrderReconciler {
  /** When each order was last asked about; forgotten once the order is decided. */
  readonly #askedAtMs = new Map<string, number>()

  constructor(
    private readonly deps: ProviderDeps,
    private readonly providers: PaymentProviders,
    private readonly limits: ReconcileLimits = DEFAULT_RECONCILE_LIMITS,
  ) {}

  /** One pass; answers how many orders were asked about. A failed question waits for the next pass. */
  async pass(): Promise<number> {
    const { store, env, logger } = this.deps
    const now = env.clock.now()
    const orders = await store.peek((tx) => tx.orders.list())
    const waiting = orders.filter((o) => o.status === 'awaiting_payment' && this.#askable(o))
    for (const id of this.#askedAtMs.keys()) {
      if (!waiting.some((o) => o.id === id)) this.#askedAtMs.delete(id)
    }
    const due = waiting
      .filter(
        (o) =>
          now - (this.#askedAtMs.get(o.id) ?? 0) >=
          Math.max(this.limits.minGapMs, (now - o.createdAtMs) / 10),
      )
      .reverse()
      .slice(0, this.limits.maxOrdersPerPass)
    for (const order of due) {
      this.#askedAtMs.set(order.id, now)
      try {
        await this.providers.get(order.provider as ProviderId)?.check?.(order, this.deps)
        if (now - order.createdAtMs >= this.limits.expireAfterMs) {
          await store.transact((tx) =>
            closeOrder(tx, env, order.id, 'expired', `no word from ${order.provider} within a day`, 'system'),
          )
        }
      } catch (err) {
        logger.warn(
          { err, orderId: order.id, component: 'payments' },
          'could not ask the provider about an order',
        )
      }
    }
    return due.length
  }

  #askable(order: Order): boolean {
    if (order.provider === 'balance' || !order.providerRef || order.mismatch) return false
    return this.providers.get(order.provider)?.check !== undefined
  }
}
