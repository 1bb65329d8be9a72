/**
 * Voiding: an invoice is reversed by a credit note (same lines, naming it), money paid on it goes
 * back to the account balance, and its top-up's data is taken back when unused. A pro-forma is
 * simply cancelled. A mistaken top-up is reversed the same way, its data taken back even if used.
 */
import { formatMoney } from '@capd/protocol'
import { newId } from '../ids.js'
import type { Invoice, Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { amountPaid } from './invoice-amounts.js'
import { issueDocument, kindOf } from './invoices.js'
import { closeOrder } from './order-settlement.js'
import { notFound, Refusal } from './refusal.js'
import { inCurrentPeriod, removeTopUpData, topUpData } from './topup-reversal.js'

export interface VoidInput {
  reason: string
  /** Where money already paid on it goes: back to the account balance (default), or nowhere (refunded outside capd). */
  refund?: 'balance' | 'none'
}

export interface VoidResult {
  invoice: Invoice
  creditNote?: Invoice
  /** The top-up whose data was taken back, if any. */
  reversedTopUp?: TopUp
}

export async function voidInvoice(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  invoiceId: string,
  input: VoidInput,
): Promise<VoidResult> {
  const invoice = await voidable(tx, invoiceId)
  if (kindOf(invoice) === 'proforma') return cancelProforma(tx, env, actor, invoice, input.reason)
  let topUp = invoice.topUpId ? await tx.topUps.get(invoice.topUpId) : undefined
  if (topUp && (await topUpData(tx, env, topUp)) !== 'counts_unused') topUp = undefined
  return credit(tx, env, actor, invoice, input, topUp)
}

/** A mistaken top-up: credit note for its invoice and its data removed; only within its own period. */
export async function reverseTopUp(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  topUpId: string,
  input: VoidInput,
): Promise<VoidResult> {
  const topUp = await tx.topUps.get(topUpId)
  if (!topUp) throw notFound('top-up', topUpId)
  if (topUp.reversedAtMs !== undefined)
    throw new Refusal('not_reversible', `top-up ${topUpId} is already reversed`)
  if (!(await inCurrentPeriod(tx, env, topUp))) {
    throw new Refusal(
      'not_reversible',
      `top-up ${topUpId} was bought in an earlier billing period; a top-up can be reversed only within the period it counts in`,
    )
  }
  const invoice = await voidable(tx, topUp.invoiceId)
  return credit(tx, env, actor, invoice, input, topUp)
}

async function credit(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  invoice: Invoice,
  input: VoidInput,
  topUp: TopUp | undefined,
): Promise<VoidResult> {
  const creditNote = await issueDocument(tx, env, {
    kind: 'credit_note',
    subscriberId: invoice.subscriberId,
    lines: invoice.lines,
    invoiceId: invoice.id,
    ...(invoice.topUpId ? { topUpId: invoice.topUpId } : {}),
  })
  const now = env.clock.now()
  const voided: Invoice = {
    ...invoice,
    status: 'void',
    creditNoteId: creditNote.id,
    voidedAtMs: now,
    voidReason: input.reason,
  }
  await tx.invoices.update(voided)
  const paid = amountPaid(invoice)
  if (paid.amount > 0 && (input.refund ?? 'balance') === 'balance') {
    await refundToBalance(tx, env, invoice.subscriberId, paid.amount, creditNote.id)
  }
  const reversedTopUp = topUp ? await removeTopUpData(tx, env, topUp) : undefined
  await audit(tx, env, actor, 'invoice.void', 'subscriber', invoice.subscriberId, {
    invoiceId: invoice.id,
    creditNoteId: creditNote.id,
    reason: input.reason,
    refunded: (input.refund ?? 'balance') === 'balance' ? formatMoney(paid) : 'none',
    ...(reversedTopUp ? { reversedTopUpId: reversedTopUp.id } : {}),
  })
  return { invoice: voided, creditNote, ...(reversedTopUp ? { reversedTopUp } : {}) }
}

async function refundToBalance(
  tx: Tx,
  env: DomainEnv,
  subscriberId: string,
  amount: number,
  creditNoteId: string,
): Promise<Subscriber> {
  const sub = await tx.subscribers.get(subscriberId)
  if (!sub) throw notFound('subscriber', subscriberId)
  const now = env.clock.now()
  const balance = { amount: sub.balance.amount + amount, currency: sub.balance.currency }
  if (!Number.isSafeInteger(balance.amount))
    throw new Refusal('amount_too_large', 'the balance would overflow')
  const updated = { ...sub, balance }
  await tx.subscribers.update(updated)
  await tx.ledger.insert({
    id: newId('led', now),
    subscriberId,
    atMs: now,
    kind: 'refund',
    amount: { amount, currency: sub.balance.currency },
    balanceAfter: balance,
    ref: creditNoteId,
  })
  return updated
}

/** An unpaid pro-forma is withdrawn: void, no credit note (it was never revenue), its order closed. */
async function cancelProforma(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  proforma: Invoice,
  reason: string,
): Promise<VoidResult> {
  if (proforma.status === 'paid') {
    throw new Refusal(
      'invoice_closed',
      `${proforma.number} is paid and replaced by its invoice; void the invoice instead`,
    )
  }
  const voided: Invoice = { ...proforma, status: 'void', voidedAtMs: env.clock.now(), voidReason: reason }
  await tx.invoices.update(voided)
  if (proforma.orderId)
    await closeOrder(tx, env, proforma.orderId, 'failed', `pro-forma cancelled: ${reason}`, actor)
  await audit(tx, env, actor, 'proforma.cancel', 'subscriber', proforma.subscriberId, {
    invoiceId: proforma.id,
    reason,
  })
  return { invoice: voided }
}

async function voidable(tx: Tx, invoiceId: string): Promise<Invoice> {
  const invoice = await tx.invoices.get(invoiceId)
  if (!invoice) throw notFound('invoice', invoiceId)
  if (kindOf(invoice) === 'credit_note') {
    throw new Refusal('invoice_closed', `${invoice.number} is a credit note; it cannot be voided`)
  }
  if (invoice.status === 'void') {
    throw new Refusal('invoice_closed', `${invoice.number} is already void`)
  }
  return invoice
}
