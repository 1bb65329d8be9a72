/**
 * Placing an order: what a customer means to pay for, fixed at its price now, waiting for its
 * payment. Nothing is applied here (see order-settlement.ts).
 */
import { createHash } from 'node:crypto'
import type { Money } from '@capd/protocol'
import { newId } from '../ids.js'
import type { Order, OrderItem, OrderProvider } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import { billingSettings } from './billing-settings.js'
import type { Actor, DomainEnv } from './env.js'
import { issueDocument } from './invoices.js'
import { requireLive, requireNotSuspended } from './live-subscriber.js'
import { requireCurrency } from './money-rules.js'
import { requireActiveTopUpPlan } from './plans.js'
import { notFound, Refusal } from './refusal.js'
import { grossOf, invoiceLine } from './tax.js'

export type OrderRequest =
  | { kind: 'topup'; topUpPlanId: string }
  /** Money for the account balance. */
  | { kind: 'balance'; amount: Money }

export interface PlaceOrderInput {
  request: OrderRequest
  provider: OrderProvider
  /** The secret in the order's callback path, when its provider calls back without a signature. */
  callbackSecret?: string
}

export async function placeOrder(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  subscriberId: string,
  input: PlaceOrderInput,
): Promise<Order> {
  const sub = await tx.subscribers.get(subscriberId)
  if (!sub) throw notFound('subscriber', subscriberId)
  requireLive(sub)
  // Credit for the balance is still taken from a suspended customer (it may settle the debt).
  if (input.request.kind === 'topup') requireNotSuspended(sub)
  const { item, amount } = await priced(tx, input.request)
  requireCurrency(env, amount.currency, 'amount')
  if (amount.amount <= 0) throw new Refusal('invalid_request', 'an order must cost more than nothing')
  const now = env.clock.now()
  let order: Order = {
    id: newId('ord', now),
    subscriberId,
    item,
    amount,
    provider: input.provider,
    status: 'awaiting_payment',
    createdAtMs: now,
    actor,
    ...(input.callbackSecret ? { callbackHash: secretHash(input.callbackSecret) } : {}),
  }
  if (
    item.kind === 'topup' &&
    input.provider !== 'balance' &&
    (input.provider === 'offline' || (await billingSettings(tx)).paidTopUps === 'proforma')
  ) {
    const proforma = await issueDocument(tx, env, {
      kind: 'proforma',
      subscriberId,
      orderId: order.id,
      lines: [invoiceLine(item.description, item.price, item.tax)],
    })
    order = { ...order, proformaId: proforma.id }
  }
  await tx.orders.insert(order)
  await audit(tx, env, actor, 'order.create', 'subscriber', subscriberId, {
    orderId: order.id,
    provider: order.provider,
    amount,
    item: item.kind,
  })
  return order
}

/**
 * Stores what the provider answered when asked to collect the order's money, and when. The first
 * answer kept stands: a second start of one order (two controllers racing one Idempotency-Key)
 * gets the stored order back, so every caller sends the customer to the same page to pay.
 */
export async function recordCheckout(
  tx: Tx,
  env: DomainEnv,
  orderId: string,
  checkout: { providerRef?: string; checkoutUrl?: string },
): Promise<Order> {
  const order = await tx.orders.get(orderId)
  if (!order) throw notFound('order', orderId)
  if (order.providerRef !== undefined && order.providerRef !== checkout.providerRef) return order
  if (order.checkoutAtMs !== undefined && order.providerRef === checkout.providerRef) return order
  const updated: Order = { ...order, ...checkout, checkoutAtMs: env.clock.now() }
  await tx.orders.update(updated)
  return updated
}

export const secretHash = (secret: string) => createHash('sha256').update(secret).digest('hex')

async function priced(tx: Tx, request: OrderRequest): Promise<{ item: OrderItem; amount: Money }> {
  if (request.kind === 'balance') {
    return {
      item: { kind: 'balance', description: 'Credit for the account balance' },
      amount: request.amount,
    }
  }
  const plan = await requireActiveTopUpPlan(tx, request.topUpPlanId)
  const item: OrderItem = {
    kind: 'topup',
    topUpPlanId: plan.id,
    description: `Data top-up: ${plan.name}`,
    bytes: plan.bytes,
    price: plan.price,
    ...(plan.validityDays !== undefined ? { validityDays: plan.validityDays } : {}),
    ...(plan.tax ? { tax: plan.tax } : {}),
  }
  return { item, amount: grossOf(plan.price, plan.tax) }
}
