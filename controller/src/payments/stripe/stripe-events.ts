/**
 * What a verified Stripe event does to its order, inside the webhook's one transaction: a paid
 * Checkout Session settles the order (exactly once, at the order's amount), a failed or expired one
 * closes it, anything else changes nothing. Returns an outcome for the event's de-dup row and the log.
 */
import { formatMoney, type Money } from '@capd/protocol'
import { z } from 'zod'
import { audit } from '../../domain/audit.js'
import type { DomainEnv } from '../../domain/env.js'
import { closeOrder, settleOrder } from '../../domain/order-settlement.js'
import type { Order } from '../../store/entities.js'
import type { Tx } from '../../store/store.js'

/** The fields of a Checkout Session this module reads; Stripe sends many more. */
export const CheckoutSession = z.object({
  id: z.string().min(1),
  client_reference_id: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  payment_status: z.string(),
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
})
export type CheckoutSession = z.infer<typeof CheckoutSession>

export const SESSION_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
] as const
export type SessionEventType = (typeof SESSION_EVENTS)[number]

export const isSessionEvent = (type: string): type is SessionEventType =>
  (SESSION_EVENTS as readonly string[]).includes(type)

/** `warn`: money may be somewhere it should not be, an operator should look. */
export interface EventOutcome {
  outcome: string
  orderId?: string
  warn?: string
}

const ACTOR = 'system:stripe'

export async function onSessionEvent(
  tx: Tx,
  env: DomainEnv,
  type: SessionEventType,
  session: CheckoutSession,
): Promise<EventOutcome> {
  const found = await orderOf(tx, session)
  if ('outcome' in found) return found
  const { order, otherSession } = found
  const orderId = order.id
  // Bank debits and vouchers complete unpaid and confirm later (async_payment_succeeded).
  const paid =
    type === 'checkout.session.async_payment_succeeded' ||
    (type === 'checkout.session.completed' && session.payment_status === 'paid')
  if (otherSession) {
    // A second session for one order (a start retried after Stripe forgot its idempotency key):
    // its payment is money taken that the order's own session does not account for.
    const warn = `session ${session.id} is not order ${orderId}'s session ${otherSession}`
    // An unused session expiring (capd closes those itself, see checkout.ts) took no money.
    if (type === 'checkout.session.expired') return { outcome: 'other_session', orderId }
    if (!paid) return { outcome: 'other_session', orderId, warn }
    return keepForOperator(
      tx,
      env,
      order,
      session,
      'paid_other_session',
      `${warn}, yet was paid: nothing applied`,
    )
  }
  switch (type) {
    case 'checkout.session.completed':
      if (!paid) return { outcome: `not_paid:${session.payment_status}`, orderId }
      return settle(tx, env, order, session)
    case 'checkout.session.async_payment_succeeded':
      return settle(tx, env, order, session)
    case 'checkout.session.async_payment_failed':
      await closeOrder(tx, env, orderId, 'failed', 'The card payment did not go through.', ACTOR)
      return { outcome: 'failed', orderId }
    case 'checkout.session.expired':
      await closeOrder(
        tx,
        env,
        orderId,
        'expired',
        'The payment page expired before anything was paid.',
        ACTOR,
      )
      return { outcome: 'expired', orderId }
  }
}

/** The order the session was made for, checked against it; otherwise why the event changes nothing. */
async function orderOf(
  tx: Tx,
  session: CheckoutSession,
): Promise<{ order: Order; otherSession?: string } | EventOutcome> {
  const ref = session.client_reference_id ?? undefined
  const meta = session.metadata?.orderId
  if (ref && meta && ref !== meta) {
    return {
      outcome: 'reference_mismatch',
      warn: `session ${session.id} names two orders: ${ref} and ${meta}`,
    }
  }
  const orderId = ref ?? meta
  // Sessions made by something else on the same Stripe account: not capd's to act on.
  if (!orderId) return { outcome: 'no_order' }
  const order = await tx.orders.get(orderId)
  if (order?.provider !== 'stripe') {
    return { outcome: 'unknown_order', warn: `session ${session.id} names ${orderId}, not a card order here` }
  }
  if (order.providerRef && order.providerRef !== session.id) return { order, otherSession: order.providerRef }
  if (order.providerRef) return { order }
  // The controller stopped between Stripe's answer and keeping it: the signed event says which.
  const updated: Order = { ...order, providerRef: session.id }
  await tx.orders.update(updated)
  return { order: updated }
}

async function settle(tx: Tx, env: DomainEnv, order: Order, session: CheckoutSession): Promise<EventOutcome> {
  const orderId = order.id
  const amount = paidAmount(session)
  if (!amount) return { outcome: 'no_amount', orderId, warn: `paid session ${session.id} carries no amount` }
  if (order.status === 'expired') {
    // Stripe cannot take money on an expired session: a payment for one is kept for the operator, not applied.
    return keepForOperator(
      tx,
      env,
      order,
      session,
      'paid_after_expiry',
      `session ${session.id} said paid after it expired: nothing applied`,
    )
  }
  const settled = await settleOrder(tx, env, {
    orderId,
    provider: 'stripe',
    amount,
    method: 'card',
    providerRef: session.id,
    actor: ACTOR,
  })
  if (settled.outcome !== 'mismatch') return { outcome: settled.outcome, orderId }
  return {
    outcome: 'mismatch',
    orderId,
    warn: `session ${session.id} paid ${formatMoney(amount)} for an order of ${formatMoney(order.amount)}: nothing applied`,
  }
}

/** A payment that must not apply: kept on the order (where operators see mismatches) and audited. */
async function keepForOperator(
  tx: Tx,
  env: DomainEnv,
  order: Order,
  session: CheckoutSession,
  outcome: 'paid_after_expiry' | 'paid_other_session',
  warn: string,
): Promise<EventOutcome> {
  const amount = paidAmount(session) ?? { amount: 0, currency: order.amount.currency }
  await tx.orders.update({ ...order, mismatch: { amount, atMs: env.clock.now(), ref: session.id } })
  await audit(tx, env, ACTOR, `order.${outcome}`, 'subscriber', order.subscriberId, {
    orderId: order.id,
    paid: formatMoney(amount),
    providerRef: session.id,
  })
  return { outcome, orderId: order.id, warn }
}

/** Stripe's amount in the order's terms: minor units, upper-case ISO code. */
function paidAmount(session: CheckoutSession): Money | undefined {
  if (session.amount_total == null || !session.currency) return undefined
  return { amount: session.amount_total, currency: session.currency.toUpperCase() }
}
