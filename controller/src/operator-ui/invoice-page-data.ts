/** What the operator's invoice page shows: the document, its subscriber, payments allocated to it, its linked documents. */
import { notFound } from '../domain/refusal.js'
import type { Invoice, Payment, Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export interface InvoicePageData {
  invoice: Invoice
  subscriber: Subscriber | undefined
  payments: Payment[]
  topUp: TopUp | undefined
  /** Documents it names: its pro-forma, the invoice a pro-forma became or a credit note reverses, its credit note. */
  linked: { proforma?: Invoice; invoice?: Invoice; creditNote?: Invoice }
}

export async function loadInvoicePage(tx: Tx, id: string): Promise<InvoicePageData> {
  const invoice = await tx.invoices.get(id)
  if (!invoice) throw notFound('invoice', id)
  const doc = async (docId: string | undefined) => (docId ? await tx.invoices.get(docId) : undefined)
  const payments = (await tx.payments.forSubscriber(invoice.subscriberId)).filter((p) =>
    p.allocations?.some((a) => a.invoiceId === id),
  )
  const proforma = await doc(invoice.proformaId)
  const linkedInvoice = await doc(invoice.invoiceId)
  const creditNote = await doc(invoice.creditNoteId)
  return {
    invoice,
    subscriber: await tx.subscribers.get(invoice.subscriberId),
    payments,
    topUp: invoice.topUpId ? await tx.topUps.get(invoice.topUpId) : undefined,
    linked: {
      ...(proforma ? { proforma } : {}),
      ...(linkedInvoice ? { invoice: linkedInvoice } : {}),
      ...(creditNote ? { creditNote } : {}),
    },
  }
}
