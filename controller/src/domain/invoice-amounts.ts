/** What has been paid on an invoice and what is still due, for rows old and new. */
import type { Money } from '@capd/protocol'
import type { Invoice } from '../store/entities.js'

/** Payments allocated so far; older paid rows carry no `amountPaid` and were paid in full. */
export function amountPaid(invoice: Invoice): Money {
  if (invoice.amountPaid) return invoice.amountPaid
  const paidInFull = invoice.status === 'paid' || invoice.paidAtMs !== undefined
  return { amount: paidInFull ? invoice.total.amount : 0, currency: invoice.total.currency }
}

/** What an open invoice still asks for; nothing for a paid or void one. */
export function amountDue(invoice: Invoice): Money {
  const due = invoice.status === 'open' ? invoice.total.amount - amountPaid(invoice).amount : 0
  return { amount: Math.max(0, due), currency: invoice.total.currency }
}
