/** What the Orders page lists: mismatches first, then orders awaiting payment, then recent failures. */
import { paymentInstructions } from '../domain/payment-instructions.js'
import type { Invoice, Order } from '../store/entities.js'
import type { Tx } from '../store/store.js'

/** Failed and expired orders are shown for this long: enough to call the customer back. */
const RECENT_FAILURES_MS = 14 * 86_400_000

export interface OrderRow {
  order: Order
  subscriberName: string
  proforma?: Invoice | undefined
}

export interface OrdersData {
  mismatches: OrderRow[]
  awaiting: OrderRow[]
  failed: OrderRow[]
  instructions: string | undefined
}

export async function loadOrders(tx: Tx, nowMs: number): Promise<OrdersData> {
  const all = (await tx.orders.list()).sort((a, b) => b.createdAtMs - a.createdAtMs)
  const row = async (order: Order): Promise<OrderRow> => ({
    order,
    subscriberName: (await tx.subscribers.get(order.subscriberId))?.name ?? order.subscriberId,
    proforma: order.proformaId ? await tx.invoices.get(order.proformaId) : undefined,
  })
  const rows = (orders: Order[]) => Promise.all(orders.map(row))
  return {
    // Money arrived that matches no order's amount: someone must look, whatever the order's state.
    mismatches: await rows(all.filter((o) => o.mismatch && o.status !== 'applied')),
    awaiting: await rows(all.filter((o) => o.status === 'awaiting_payment' && !o.mismatch)),
    failed: await rows(
      all.filter(
        (o) =>
          (o.status === 'failed' || o.status === 'expired') &&
          !o.mismatch &&
          (o.closedAtMs ?? o.createdAtMs) > nowMs - RECENT_FAILURES_MS,
      ),
    ),
    instructions: await paymentInstructions(tx),
  }
}
