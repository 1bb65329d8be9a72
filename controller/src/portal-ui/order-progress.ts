/**
 * Where a customer's order stands, in the words of its page: waiting for the payment, paid and
 * being applied, applied (access restored, used up), or failed/expired. Read from the order and,
 * once applied, from what the agent reports of the top-up (topup-status.ts), never guessed.
 */
import type { DomainEnv } from '../domain/env.js'
import { paymentInstructions } from '../domain/payment-instructions.js'
import { usageView } from '../domain/usage.js'
import type { Invoice, Order } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { type TopUpStatus, topUpStatus } from './topup-status.js'

export type OrderProgress =
  | { kind: 'waiting'; instructions?: string | undefined; proforma?: Invoice | undefined }
  | { kind: 'topup'; status: TopUpStatus; bytes: number }
  | { kind: 'balance_added' }
  | { kind: 'failed' | 'expired' }

export interface OrderPageData {
  order: Order
  progress: OrderProgress
}

/** Undefined when there is no such order on this subscriber's account. */
export async function loadOrderPage(
  tx: Tx,
  env: DomainEnv,
  subscriberId: string,
  orderId: string,
  was: string | undefined,
): Promise<OrderPageData | undefined> {
  const order = await tx.orders.get(orderId)
  if (!order || order.subscriberId !== subscriberId) return undefined
  return { order, progress: await progressOf(tx, env, order, was) }
}

async function progressOf(
  tx: Tx,
  env: DomainEnv,
  order: Order,
  was: string | undefined,
): Promise<OrderProgress> {
  if (order.status === 'failed' || order.status === 'expired') return { kind: order.status }
  if (order.status === 'awaiting_payment') {
    const proforma = order.proformaId ? await tx.invoices.get(order.proformaId) : undefined
    const instructions = order.provider === 'offline' ? await paymentInstructions(tx) : undefined
    return { kind: 'waiting', instructions, proforma }
  }
  if (order.item.kind === 'balance' || !order.topUpId) return { kind: 'balance_added' }
  const sub = await tx.subscribers.get(order.subscriberId)
  const plan = sub ? await tx.plans.get(sub.planId) : undefined
  const topUp = await tx.topUps.get(order.topUpId)
  if (!sub || !plan || !topUp) throw new Error(`order ${order.id} names records that are gone`)
  const usage = usageView(sub, plan, await tx.topUps.forSubscriber(sub.id), env.clock.now(), env.timeZone)
  const status =
    topUpStatus({ sub, limitBytes: usage.limitBytes, usedBytes: usage.usedBytes, topUp, was }) ?? 'pending'
  return { kind: 'topup', status, bytes: topUp.bytes }
}
