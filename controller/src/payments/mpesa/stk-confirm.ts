/**
 * Acting on what the STK Query said about an order's push: paid → settled (once), not paid →
 * failed, not known → nothing. Callbacks and `check` both end here, so they de-duplicate together.
 */
import { closeOrder, firstDelivery, settleOrder } from '../../domain/order-settlement.js'
import { recordCheckout } from '../../domain/orders.js'
import type { ProviderDeps } from '../provider.js'
import type { StkOutcome } from './stk-outcome.js'

export interface StkConfirmation {
  orderId: string
  checkoutRequestId: string
  /** What the STK Query said: the only thing trusted to decide. */
  outcome: StkOutcome
  /** What Safaricom's callback named, when one came: the amount paid (cents) and the receipt. */
  paid?: { amountCents?: number; receipt?: string }
}

export type StkConfirmResult =
  | 'applied'
  | 'already_applied'
  | 'mismatch'
  | 'failed'
  | 'pending'
  /** This push was decided before: nothing more done. */
  | 'duplicate'
  /** The order does not exist, is not an M-Pesa order, or belongs to another push. */
  | 'not_this_order'

export const MPESA_ACTOR = 'provider:mpesa'

export async function confirmStk(deps: ProviderDeps, c: StkConfirmation): Promise<StkConfirmResult> {
  const { outcome } = c
  if (outcome.kind === 'pending') return 'pending'
  const { env } = deps
  return deps.store.transact(async (tx) => {
    const order = await tx.orders.get(c.orderId)
    if (order?.provider !== 'mpesa') return 'not_this_order'
    if (order.providerRef !== undefined && order.providerRef !== c.checkoutRequestId) return 'not_this_order'
    let result: StkConfirmResult = 'duplicate'
    // Only decided pushes are remembered: a query that could not answer leaves room for the retry.
    await firstDelivery(tx, env, 'mpesa', c.checkoutRequestId, `stk.${outcome.kind}`, async () => {
      // A crash between sending the push and storing its id leaves the order without one; the
      // callback reached this order's secret URL and the query vouched for the push, so adopt it.
      if (order.providerRef === undefined) {
        await recordCheckout(tx, env, order.id, { providerRef: c.checkoutRequestId })
      }
      if (outcome.kind === 'failed') {
        await closeOrder(tx, env, order.id, 'failed', outcome.reason, MPESA_ACTOR)
        result = 'failed'
        return { orderId: order.id, outcome: 'failed' }
      }
      const settled = await settleOrder(tx, env, {
        orderId: order.id,
        provider: 'mpesa',
        // The push asked for the order's amount; a callback naming another is kept as a mismatch.
        amount: { amount: c.paid?.amountCents ?? order.amount.amount, currency: 'KES' },
        method: 'mpesa',
        providerRef: c.paid?.receipt ?? c.checkoutRequestId,
        actor: MPESA_ACTOR,
      })
      result = settled.outcome
      return { orderId: order.id, outcome: settled.outcome }
    })
    return result
  })
}
