/** What a document says besides its lines: its status in a word, its totals (paid and due), its closing note. */
import type { Money } from '@capd/protocol'
import type { InvoiceDocument } from './invoice-document.js'

export function statusLabel(d: InvoiceDocument): string {
  const { invoice } = d
  if (invoice.status === 'void') return d.kind === 'proforma' ? 'Cancelled' : 'Void'
  if (invoice.status === 'paid') return 'Paid'
  return d.kind === 'credit_note' ? 'Issued' : 'Due'
}

/** Net, tax and total; an invoice or pro-forma also what was paid and what is still due (none once void). */
export function totals(d: InvoiceDocument): [string, Money, boolean][] {
  const { invoice } = d
  const zero = { amount: 0, currency: invoice.total.currency }
  const net = invoice.net ?? invoice.total
  const tax = invoice.tax ?? zero
  const rows: [string, Money, boolean][] = [
    ['Net', net, false],
    ['Tax', tax, false],
    ['Total', invoice.total, true],
  ]
  if (d.kind === 'credit_note') return rows
  const paid = invoice.amountPaid ?? (invoice.status === 'paid' ? invoice.total : zero)
  const due =
    invoice.status === 'void' ? zero : { ...zero, amount: Math.max(0, invoice.total.amount - paid.amount) }
  return [...rows, ['Paid', paid, false], ['Due', due, true]]
}

export function closingNote(d: InvoiceDocument): string | undefined {
  if (d.kind === 'credit_note')
    return 'This credit note reverses the invoice it names; the total is owed to you.'
  if (d.kind === 'proforma')
    return 'This is a request for payment, not a tax invoice; the invoice follows payment.'
  if (d.invoice.voidReason) return `Voided: ${d.invoice.voidReason}`
  return undefined
}
