/**
 * Money allocated to an invoice: a payment the operator received (cash, transfer, …) or money moved
 * from the account balance. Partial payments add up; the invoice is paid once they cover its total.
 * More than is due is refused (the operator credits the rest to the balance as a payment of its own),
 * so an allocation never hides money the customer is owed.
 */
import { formatMoney, type Money } from '@capd/protocol'
import { newId } from '../ids.js'
import { notifyPaymentReceived } from '../notify/money-events.js'
import type { Invoice, Payment, PaymentMethod, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { amountDue, amountPaid } from './invoice-amounts.js'
import { kindOf } from './invoices.js'
import { requireCurrency } from './money-rules.js'
import { fieldRefusal, notFound, Refusal } from './refusal.js'

/** How an operator says the money came in; `balance` has its own action (payFromBalance). */
export type ReceivedMethod = Exclude<PaymentMethod, 'balance'>

export interface InvoicePaymentInput {
  amount: Money
  method: ReceivedMethod
  reference?: string
}

export interface InvoicePaymentResult {
  invoice: Invoice
  payment: Payment
  subscriber: Subscriber
}

export async function payInvoice(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  invoiceId: string,
  input: InvoicePaymentInput,
): Promise<InvoicePaymentResult> {
  const invoice = await payable(tx, invoiceId)
  requireCurrency(env, input.amount.currency, 'amount')
  const due = amountDue(invoice)
  if (input.amount.amount > due.amount) {
    const problem = `is ${formatMoney(input.amount)}, more than the ${formatMoney(due)} due on ${invoice.number}; record the rest as a payment to the account balance`
    throw fieldRefusal('overpayment', 'amount', `amount ${problem}`, problem)
  }
  const subscriber = await subscriberOf(tx, invoice)
  return allocate(tx, env, actor, invoice, subscriber, input)
}

/** Pays what is still due on an invoice from the account balance (ledger `invoice_payment`). */
export async function payFromBalance(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  invoiceId: string,
): Promise<InvoicePaymentResult> {
  const invoice = await payable(tx, invoiceId)
  const due = amountDue(invoice)
  const sub = await subscriberOf(tx, invoice)
  if (sub.balance.amount < due.amount) {
    throw new Refusal(
      'insufficient_balance',
      `balance is ${formatMoney(sub.balance)}, ${invoice.number} needs ${formatMoney(due)}`,
    )
  }
  const now = env.clock.now()
  const balance = { amount: sub.balance.amount - due.amount, currency: sub.balance.currency }
  const subscriber = { ...sub, balance }
  await tx.subscribers.update(subscriber)
  await tx.ledger.insert({
    id: newId('led', now),
    subscriberId: sub.id,
    atMs: now,
    kind: 'invoice_payment',
    amount: { amount: -due.amount, currency: due.currency },
    balanceAfter: balance,
    ref: invoice.id,
  })
  return allocate(tx, env, actor, invoice, subscriber, { amount: due, method: 'balance' })
}

async function allocate(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  invoice: Invoice,
  subscriber: Subscriber,
  input: { amount: Money; method: PaymentMethod; reference?: string },
): Promise<InvoicePaymentResult> {
  if (input.amount.amount <= 0) {
    throw fieldRefusal('invalid_request', 'amount', 'amount must be greater than 0', 'must be greater than 0')
  }
  const now = env.clock.now()
  const payment: Payment = {
    id: newId('pay', now),
    subscriberId: invoice.subscriberId,
    amount: input.amount,
    ...(input.reference ? { reference: input.reference } : {}),
    method: input.method,
    createdAtMs: now,
    actor,
    allocations: [{ invoiceId: invoice.id, amount: input.amount }],
  }
  await tx.payments.insert(payment)
  const paid = amountPaid(invoice).amount + input.amount.amount
  const settled = paid >= invoice.total.amount
  const updated: Invoice = {
    ...invoice,
    amountPaid: { amount: paid, currency: invoice.total.currency },
    ...(settled ? { status: 'paid', paidAtMs: now, paidWith: input.method } : {}),
  }
  await tx.invoices.update(updated)
  await audit(tx, env, actor, 'invoice.payment', 'subscriber', invoice.subscriberId, {
    invoiceId: invoice.id,
    paymentId: payment.id,
    amount: input.amount,
    method: input.method,
    ...(input.reference ? { reference: input.reference } : {}),
  })
  await notifyPaymentReceived(tx, env, payment)
  return { invoice: updated, payment, subscriber }
}

/** The invoice to allocate to: an open invoice. Pro-formas are settled by their orders, never here. */
async function payable(tx: Tx, invoiceId: string): Promise<Invoice> {
  const invoice = await tx.invoices.get(invoiceId)
  if (!invoice) throw notFound('invoice', invoiceId)
  const kind = kindOf(invoice)
  if (kind === 'proforma') {
    throw new Refusal(
      'invoice_closed',
      `${invoice.number} is a pro-forma: it is settled by paying its order, which issues the invoice`,
    )
  }
  if (kind === 'credit_note') throw new Refusal('invoice_closed', `${invoice.number} is a credit note`)
  if (invoice.status !== 'open') {
    throw new Refusal('invoice_closed', `${invoice.number} is ${invoice.status}: nothing is due on it`)
  }
  return invoice
}

async function subscriberOf(tx: Tx, invoice: Invoice): Promise<Subscriber> {
  const sub = await tx.subscribers.get(invoice.subscriberId)
  if (!sub) throw notFound('subscriber', invoice.subscriberId)
  return sub
}
