/**
 * Invoices, pro-formas and credit notes: numbered per series and calendar year without gaps
 * (a number is taken inside the transaction that issues the document, so it rolls back with it).
 */
import type { Money } from '@capd/protocol'
import { newId } from '../ids.js'
import { notifyInvoiceIssued } from '../notify/money-events.js'
import type { DocumentKind, Invoice, InvoiceLine, PaymentMethod } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'

const PREFIX: Record<DocumentKind, string> = { invoice: 'INV', proforma: 'PRO', credit_note: 'CN' }

export interface DocumentInput {
  kind: DocumentKind
  subscriberId: string
  lines: readonly InvoiceLine[]
  topUpId?: string
  orderId?: string
  proformaId?: string
  /** A credit note names the invoice it reverses. */
  invoiceId?: string
  /** Set when the document is settled as it is issued (paid from the balance or by the order's payment). */
  paid?: { method: PaymentMethod }
}

export async function issueDocument(tx: Tx, env: DomainEnv, input: DocumentInput): Promise<Invoice> {
  const now = env.clock.now()
  const year = yearIn(now, env.timeZone)
  const n = await tx.nextSequence(`${input.kind}/${year}`)
  const total = sum(input.lines.map((l) => l.amount))
  const taxed = input.lines.some((l) => l.tax)
  const invoice: Invoice = {
    id: newId(input.kind === 'credit_note' ? 'crn' : input.kind === 'proforma' ? 'pro' : 'inv', now),
    kind: input.kind,
    number: `${PREFIX[input.kind]}-${year}-${String(n).padStart(6, '0')}`,
    subscriberId: input.subscriberId,
    issuedAtMs: now,
    lines: input.lines,
    ...(taxed
      ? {
          net: sum(input.lines.map((l) => l.net ?? l.amount)),
          tax: sum(input.lines.map((l) => l.tax ?? zero(l.amount))),
        }
      : {}),
    total,
    ...(input.topUpId ? { topUpId: input.topUpId } : {}),
    ...(input.orderId ? { orderId: input.orderId } : {}),
    ...(input.proformaId ? { proformaId: input.proformaId } : {}),
    ...(input.invoiceId ? { invoiceId: input.invoiceId } : {}),
    ...(input.paid
      ? { status: 'paid', amountPaid: total, paidAtMs: now, paidWith: input.paid.method }
      : { status: 'open' }),
  }
  await tx.invoices.insertNew(invoice)
  await notifyInvoiceIssued(tx, env, invoice)
  return invoice
}

/** The calendar year of an instant in the controller's zone (invoice numbers start again each year). */
export function yearIn(atMs: number, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' }).format(atMs))
}

/** A document's kind; older rows have none and are invoices. */
export const kindOf = (invoice: Invoice): DocumentKind => invoice.kind ?? 'invoice'

function sum(amounts: readonly Money[]): Money {
  const first = amounts[0]
  if (!first) throw new Error('a document needs at least one line')
  return { amount: amounts.reduce((a, m) => a + m.amount, 0), currency: first.currency }
}

const zero = (m: Money): Money => ({ amount: 0, currency: m.currency })
