/** Request bodies of the invoice actions: a payment against an invoice, a void, a top-up reversal. */
import { Money } from '@capd/protocol'
import { z } from 'zod'
import { safeText } from './safe-text.js'

export const InvoicePayment = z.strictObject({
  amount: Money.refine((m) => m.amount > 0, { path: ['amount'], message: 'must be greater than 0' }),
  method: z.enum(['cash', 'bank_transfer', 'card', 'mpesa', 'other']),
  reference: safeText(z.string().trim().min(1).max(200)).optional(),
})

const Reason = safeText(z.string().trim().min(1, 'say why').max(500))

export const VoidInvoice = z.strictObject({
  reason: Reason,
  /** Money already paid on it: back to the account balance (default) or not (refunded outside capd). */
  refund: z.enum(['balance', 'none']).default('balance'),
})

export const ReverseTopUp = VoidInvoice
