/**
 * Paying for a top-up from the account balance: an order (provider `balance`) like any paid
 * top-up, applied in the same transaction that places it, so every paid top-up has an order.
 */
import type { Actor, DomainEnv } from '../domain/env.js'
import { placeOrder } from '../domain/orders.js'
import { createTopUp, type TopUpResult } from '../domain/topups.js'
import type { Order } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export async function payFromBalance(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  subscriberId: string,
  topUpPlanId: string,
): Promise<TopUpResult & { order: Order }> {
  const placed = await placeOrder(tx, env, actor, subscriberId, {
    request: { kind: 'topup', topUpPlanId },
    provider: 'balance',
  })
  // createTopUp charges the balance (refusing one too low) and issues the paid invoice.
  const result = await createTopUp(tx, env, actor, 'portal', subscriberId, {
    topUpPlanId,
    chargeTo: 'balance',
  })
  const topUp = { ...result.topUp, orderId: placed.id }
  const invoice = { ...result.invoice, orderId: placed.id }
  await tx.topUps.update(topUp)
  await tx.invoices.update(invoice)
  const order: Order = {
    ...placed,
    status: 'applied',
    paidAtMs: env.clock.now(),
    topUpId: topUp.id,
    invoiceId: invoice.id,
  }
  await tx.orders.update(order)
  return { ...result, topUp, invoice, order }
}
