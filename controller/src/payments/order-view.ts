/** An order as the APIs answer it: the customer's own (portal) and anyone's (operator API). */
import type { Invoice, Order } from '../store/entities.js'
import type { Tx } from '../store/store.js'

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

/** The order with its pro-forma's number, for the customer to quote when paying offline. */
export async function loadOrderView(tx: Tx, order: Order) {
  const proforma = order.proformaId ? await tx.invoices.get(order.proformaId) : undefined
  return orderView(order, proforma)
}

export function orderView(o: Order, proforma?: Invoice) {
  return {
    id: o.id,
    subscriberId: o.subscriberId,
    status: o.status,
    provider: o.provider,
    item:
      o.item.kind === 'topup'
        ? {
            kind: o.item.kind,
            description: o.item.description,
            bytes: o.item.bytes,
            topUpPlanId: o.item.topUpPlanId,
          }
        : { kind: o.item.kind, description: o.item.description },
    amount: o.amount,
    createdAt: iso(o.createdAtMs),
    checkoutUrl: o.status === 'awaiting_payment' ? o.checkoutUrl : undefined,
    proforma: proforma ? { id: proforma.id, number: proforma.number, status: proforma.status } : undefined,
    paidAt: iso(o.paidAtMs),
    topUpId: o.topUpId,
    invoiceId: o.invoiceId,
    closedAt: iso(o.closedAtMs),
    closedReason: o.closedReason,
    mismatch: o.mismatch
      ? { amount: o.mismatch.amount, at: iso(o.mismatch.atMs), ref: o.mismatch.ref }
      : undefined,
  }
}
