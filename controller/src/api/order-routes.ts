/** Orders for the operator: list and read them, and record an offline payment against one. */
import { Money } from '@capd/protocol'
import { z } from 'zod'
import { notFound } from '../domain/refusal.js'
import { OFFLINE_METHODS, recordOrderPayment } from '../payments/order-payment.js'
import { loadOrderView } from '../payments/order-view.js'
import type { Order } from '../store/entities.js'
import type { ApiDeps } from './app-env.js'
import { respondOnce } from './idempotent-route.js'
import type { DocumentedRouter } from './router.js'
import { safeText } from './safe-text.js'
import { idParam, readJson, readQuery } from './validate.js'
import { paymentView } from './views.js'

export const OrderListQuery = z.strictObject({
  status: z.enum(['awaiting_payment', 'applied', 'failed', 'expired', 'mismatch']).optional(),
})

export const RecordOrderPayment = z.strictObject({
  method: z.enum(OFFLINE_METHODS),
  reference: safeText(z.string().trim().min(1, 'must not be empty').max(200)),
  amount: Money,
})

/** Newest first, at most this many: the list is for working through, not an export. */
const LIST_LIMIT = 500

export function orderRoutes(r: DocumentedRouter, deps: ApiDeps): void {
  const { store, env } = deps

  r.add(
    {
      method: 'get',
      path: '/orders',
      summary: 'List orders, newest first; `status=mismatch` lists those paid a different amount',
      query: OrderListQuery,
      status: 200,
    },
    async (c) => {
      const { status } = readQuery(c, OrderListQuery)
      const items = await store.transact(async (tx) => {
        const rows = (await tx.orders.list())
          .filter((o) => matches(o, status))
          .sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : -1))
          .slice(0, LIST_LIMIT)
        return Promise.all(rows.map((o) => loadOrderView(tx, o)))
      })
      return c.json({ items })
    },
  )

  r.add({ method: 'get', path: '/orders/:id', summary: 'Read an order', status: 200 }, async (c) => {
    const id = idParam(c)
    const view = await store.transact(async (tx) => {
      const order = await tx.orders.get(id)
      if (!order) throw notFound('order', id)
      return loadOrderView(tx, order)
    })
    return c.json(view)
  })

  r.add(
    {
      method: 'post',
      path: '/orders/:id/payments',
      summary:
        'Record an offline payment (cash, bank transfer) of the exact amount of an order: applies it once',
      body: RecordOrderPayment,
      status: 201,
      idempotent: true,
    },
    async (c) => {
      const id = idParam(c)
      const input = await readJson(c, RecordOrderPayment)
      return respondOnce(c, deps, input, async (tx) => {
        const { order, payment } = await recordOrderPayment(tx, env, c.var.actor, id, input)
        return { status: 201, body: { order: await loadOrderView(tx, order), payment: paymentView(payment) } }
      })
    },
  )
}

function matches(order: Order, status: z.infer<typeof OrderListQuery>['status']): boolean {
  if (status === undefined) return true
  if (status === 'mismatch') return order.mismatch !== undefined && order.status !== 'applied'
  return order.status === status
}
