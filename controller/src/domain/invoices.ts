/** Invoices: one per top-up, numbered without gaps (numbers roll back with a failed transaction). */
import type { Money } from '@capd/protocol'
import { newId } from '../ids.js'
import type { Invoice } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'

export interface InvoiceInput {
  subscriberId: string
  topUpId: string
  description: string
  price: Money
  /** Set when the charge is settled at once. */
  paidWith: 'balance' | 'card' | undefined
}

export async function issueInvoice(tx: Tx, env: DomainEnv, input: InvoiceInput): Promise<Invoice> {
  const now = env.clock.now()
  const number = await tx.nextSequence('invoice')
  const invoice: Invoice = {
    id: newId('inv', now),
    number: `INV-${String(number).padStart(6, '0')}`,
    subscriberId: input.subscriberId,
    issuedAtMs: now,
    lines: [{ description: input.description, quantity: 1, unitPrice: input.price, amount: input.price }],
    total: input.price,
    topUpId: input.topUpId,
    ...(input.paidWith ? { status: 'paid', paidAtMs: now, paidWith: input.paidWith } : { status: 'open' }),
  }
  await tx.invoices.insert(invoice)
  return invoice
}
