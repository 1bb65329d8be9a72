/**
 * Money for an offline order, recorded by an operator (cash at the office, a bank transfer): the
 * amount must be the order's, and the order is settled once however often it is recorded.
 */
import { formatMoney, type Money } from '@capd/protocol'
import type { Actor, DomainEnv } from '../domain/env.js'
import { type Settlement, settleOrder } from '../domain/order-settlement.js'
import { notFound, Refusal } from '../domain/refusal.js'
import type { PaymentMethod } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export const OFFLINE_METHODS = ['cash', 'bank_transfer', 'other'] as const satisfies readonly PaymentMethod[]
export type OfflineMethod = (typeof OFFLINE_METHODS)[number]

export interface OfflinePayment {
  method: OfflineMethod
  /** The receipt or transfer reference, for the books. */
  reference: string
  amount: Money
}

export async function recordOrderPayment(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  orderId: string,
  paid: OfflinePayment,
): Promise<Extract<Settlement, { outcome: 'applied' }>> {
  const order = await tx.orders.get(orderId)
  if (!order) throw notFound('order', orderId)
  if (order.provider !== 'offline') {
    throw new Refusal(
      'invalid_request',
      `order ${order.id} is paid through ${order.provider}, which confirms it itself`,
    )
  }
  if (order.status === 'applied') {
    throw new Refusal('order_closed', `order ${order.id} is already paid and applied; nothing was recorded`)
  }
  // A typo here would apply nothing and flag the order as a mismatch: refuse it instead.
  if (paid.amount.amount !== order.amount.amount || paid.amount.currency !== order.amount.currency) {
    throw new Refusal(
      'invalid_request',
      `the order is for ${formatMoney(order.amount)}, not ${formatMoney(paid.amount)}; nothing was recorded`,
    )
  }
  const settled = await settleOrder(tx, env, {
    orderId,
    provider: 'offline',
    amount: paid.amount,
    method: paid.method,
    providerRef: paid.reference,
    actor,
  })
  if (settled.outcome !== 'applied') throw new Error(`order ${orderId} did not apply: ${settled.outcome}`)
  return settled
}
