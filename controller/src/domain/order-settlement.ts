/**
 * An order's payment, confirmed by its provider: applied exactly once, in one transaction with
 * the payment — a replayed, reordered or concurrent confirmation finds the order applied and does
 * nothing; an amount that differs from the order's applies nothing and is kept for the operator.
 */
import { formatMoney, type Money } from '@capd/protocol'
import { newId } from '../ids.js'
import { notifyPaymentReceived } from '../notify/money-events.js'
import type { Order, OrderProvider, Payment, PaymentMethod } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { DomainEnv } from './env.js'
import { recordPayment } from './payments.js'
import { notFound, Refusal } from './refusal.js'
import { createTopUp } from './topups.js'

export interface ConfirmedPayment {
  orderId: string
  /** Who confirmed it: must be the order's provider. */
  provider: OrderProvider
  amount: Money
  method: PaymentMethod
  /** The provider's id for the payment (session, receipt number) or the operator's reference. */
  providerRef?: string
  actor: string
}

export type Settlement =
  | { outcome: 'applied'; order: Order; payment: Payment }
  | { outcome: 'already_applied'; order: Order }
  | { outcome: 'mismatch'; order: Order }

export async function settleOrder(tx: Tx, env: DomainEnv, paid: ConfirmedPayment): Promise<Settlement> {
  const order = await tx.orders.get(paid.orderId)
  if (!order) throw notFound('order', paid.orderId)
  if (order.provider !== paid.provider) {
    throw new Refusal(
      'invalid_reference',
      `order ${order.id} is paid through ${order.provider}, not ${paid.provider}`,
    )
  }
  if (order.status === 'applied') return { outcome: 'already_applied', order }
  const now = env.clock.now()
  if (paid.amount.amount !== order.amount.amount || paid.amount.currency !== order.amount.currency) {
    const mismatch = { amount: paid.amount, atMs: now, ref: paid.providerRef ?? '' }
    const updated = { ...order, mismatch }
    await tx.orders.update(updated)
    await audit(tx, env, paid.actor, 'order.mismatch', 'subscriber', order.subscriberId, {
      orderId: order.id,
      expected: formatMoney(order.amount),
      paid: formatMoney(paid.amount),
      providerRef: paid.providerRef,
    })
    return { outcome: 'mismatch', order: updated }
  }
  const settled = await apply(tx, env, order, paid)
  await audit(tx, env, paid.actor, 'order.apply', 'subscriber', order.subscriberId, {
    orderId: order.id,
    paymentId: settled.payment.id,
    ...(settled.order.topUpId ? { topUpId: settled.order.topUpId } : {}),
  })
  return { outcome: 'applied', ...settled }
}

/** Records the payment and applies what the order buys. */
async function apply(
  tx: Tx,
  env: DomainEnv,
  order: Order,
  paid: ConfirmedPayment,
): Promise<{ order: Order; payment: Payment }> {
  const now = env.clock.now()
  const common = {
    method: paid.method,
    orderId: order.id,
    ...(paid.providerRef ? { providerRef: paid.providerRef } : {}),
  }
  if (order.item.kind === 'balance') {
    const { payment } = await recordPayment(tx, env, paid.actor, order.subscriberId, {
      amount: order.amount,
      ...common,
    })
    const updated: Order = { ...order, status: 'applied', paidAtMs: now, paymentId: payment.id }
    await tx.orders.update(updated)
    return { order: updated, payment }
  }
  const { topUp, invoice } = await createTopUp(tx, env, paid.actor, 'portal', order.subscriberId, {
    chargeTo: 'order',
    order,
    method: paid.method,
  })
  const payment: Payment = {
    id: newId('pay', now),
    subscriberId: order.subscriberId,
    amount: order.amount,
    createdAtMs: now,
    actor: paid.actor,
    ...common,
    allocations: [{ invoiceId: invoice.id, amount: order.amount }],
  }
  await tx.payments.insert(payment)
  await notifyPaymentReceived(tx, env, payment)
  if (order.proformaId) {
    const proforma = await tx.invoices.get(order.proformaId)
    // A pro-forma voided meanwhile stays void: the payment is booked on the new invoice.
    if (proforma?.status === 'open') {
      await tx.invoices.update({
        ...proforma,
        status: 'paid',
        paidAtMs: now,
        paidWith: paid.method,
        invoiceId: invoice.id,
      })
    }
  }
  const updated: Order = {
    ...order,
    status: 'applied',
    paidAtMs: now,
    paymentId: payment.id,
    topUpId: topUp.id,
    invoiceId: invoice.id,
  }
  await tx.orders.update(updated)
  return { order: updated, payment }
}

/**
 * The provider says the order will not be paid (failed, cancelled, expired). An applied order is
 * left as it is; a later confirmed payment still applies a failed or expired one (the money was taken).
 */
export async function closeOrder(
  tx: Tx,
  env: DomainEnv,
  orderId: string,
  status: 'failed' | 'expired',
  reason: string,
  actor: string,
): Promise<Order> {
  const order = await tx.orders.get(orderId)
  if (!order) throw notFound('order', orderId)
  if (order.status !== 'awaiting_payment') return order
  const updated: Order = { ...order, status, closedAtMs: env.clock.now(), closedReason: reason }
  await tx.orders.update(updated)
  await audit(tx, env, actor, `order.${status}`, 'subscriber', order.subscriberId, { orderId, reason })
  return updated
}

/**
 * Remembers a provider's event id; false when it was handled before (the caller then does nothing).
 * Kept with the transaction that acts on it, so a crash between the two cannot lose or repeat it.
 */
export async function firstDelivery(
  tx: Tx,
  env: DomainEnv,
  provider: OrderProvider,
  eventId: string,
  type: string,
  outcome: () => Promise<{ orderId?: string; outcome: string }>,
): Promise<boolean> {
  const id = `${provider}:${eventId}`
  if (await tx.paymentEvents.get(id)) return false
  const result = await outcome()
  await tx.paymentEvents.insert({
    id,
    provider,
    type,
    receivedAtMs: env.clock.now(),
    outcome: result.outcome,
    ...(result.orderId ? { orderId: result.orderId } : {}),
  })
  return true
}
