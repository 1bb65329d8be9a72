/** Invoice actions: pay (received money or from the balance), void with a credit note, reverse a top-up. */
import { reverseTopUp, type VoidResult, voidInvoice } from '../domain/credit-notes.js'
import type { StoredResponse } from '../domain/idempotency.js'
import { type InvoicePaymentResult, payFromBalance, payInvoice } from '../domain/invoice-payments.js'
import { notFound } from '../domain/refusal.js'
import type { ApiDeps } from './app-env.js'
import { requireIdempotencyKey, respondOnce } from './idempotent-route.js'
import { InvoicePayment, ReverseTopUp, VoidInvoice } from './invoice-schemas.js'
import type { DocumentedRouter } from './router.js'
import { idParam, readJson } from './validate.js'
import { invoiceView, paymentView, topUpView } from './views.js'

const KEY_NEEDED = 'money moves: send an Idempotency-Key so a retry cannot apply it twice'

export function invoiceRoutes(r: DocumentedRouter, deps: ApiDeps): void {
  const { store, env } = deps

  r.add(
    {
      method: 'post',
      path: '/invoices/:id/payments',
      summary: 'Record a payment against an invoice (partial allowed; more than is due is refused)',
      body: InvoicePayment,
      status: 201,
      idempotent: true,
    },
    async (c) => {
      requireIdempotencyKey(c, KEY_NEEDED)
      const id = idParam(c)
      const input = await readJson(c, InvoicePayment)
      return respondOnce(c, deps, input, async (tx) =>
        paymentAnswer(await payInvoice(tx, env, c.var.actor, id, input)),
      )
    },
  )

  r.add(
    {
      method: 'post',
      path: '/invoices/:id/pay-from-balance',
      summary: "Pay what is due on an invoice from the subscriber's account balance",
      status: 201,
      idempotent: true,
    },
    async (c) => {
      requireIdempotencyKey(c, KEY_NEEDED)
      const id = idParam(c)
      return respondOnce(c, deps, {}, async (tx) =>
        paymentAnswer(await payFromBalance(tx, env, c.var.actor, id)),
      )
    },
  )

  r.add(
    {
      method: 'post',
      path: '/invoices/:id/void',
      summary:
        'Void an invoice: a credit note reverses it, money paid goes back to the balance, unused top-up data is removed (a pro-forma is cancelled)',
      body: VoidInvoice,
      status: 200,
      idempotent: true,
    },
    async (c) => {
      const id = idParam(c)
      const input = await readJson(c, VoidInvoice)
      return respondOnce(c, deps, input, async (tx) =>
        voidAnswer(await voidInvoice(tx, env, c.var.actor, id, input)),
      )
    },
  )

  r.add(
    {
      method: 'post',
      path: '/topups/:id/reverse',
      summary: 'Reverse a mistaken top-up within its period: credit note for its invoice, its data removed',
      body: ReverseTopUp,
      status: 200,
      idempotent: true,
    },
    async (c) => {
      const id = idParam(c)
      const input = await readJson(c, ReverseTopUp)
      return respondOnce(c, deps, input, async (tx) =>
        voidAnswer(await reverseTopUp(tx, env, c.var.actor, id, input)),
      )
    },
  )

  r.add(
    {
      method: 'get',
      path: '/invoices/:id/payments',
      summary: 'Payments allocated to an invoice',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const items = await store.transact(async (tx) => {
        const invoice = await tx.invoices.get(id)
        if (!invoice) throw notFound('invoice', id)
        const all = await tx.payments.forSubscriber(invoice.subscriberId)
        return all.filter((p) => p.allocations?.some((a) => a.invoiceId === id))
      })
      return c.json({ items: items.map(paymentView) })
    },
  )
}

function paymentAnswer(result: InvoicePaymentResult): StoredResponse {
  return {
    status: 201,
    body: {
      invoice: invoiceView(result.invoice),
      payment: paymentView(result.payment),
      balance: result.subscriber.balance,
    },
  }
}

function voidAnswer(result: VoidResult): StoredResponse {
  return {
    status: 200,
    body: {
      invoice: invoiceView(result.invoice),
      creditNote: result.creditNote ? invoiceView(result.creditNote) : null,
      reversedTopUp: result.reversedTopUp ? topUpView(result.reversedTopUp) : null,
    },
  }
}
