/**
 * Revenue as cash received: payments that brought money in (not moves from the balance), so an
 * unpaid invoice is not revenue and a pro-forma never is. What is owed shows apart as outstanding.
 */
import type { Money } from '@capd/protocol'
import type { DomainEnv } from '../domain/env.js'
import { amountDue } from '../domain/invoice-amounts.js'
import { kindOf } from '../domain/invoices.js'
import type { Tx } from '../store/store.js'

export async function receivedSince(tx: Tx, env: DomainEnv, fromMs: number, toMs: number): Promise<Money> {
  let amount = 0
  for (const p of await tx.payments.list()) {
    if (p.method === 'balance' || p.amount.currency !== env.currency) continue
    if (p.createdAtMs >= fromMs && p.createdAtMs <= toMs) amount += p.amount.amount
  }
  return { amount, currency: env.currency }
}

export async function outstandingInvoices(
  tx: Tx,
  env: DomainEnv,
): Promise<{ amount: Money; invoices: number }> {
  let amount = 0
  let invoices = 0
  for (const i of await tx.invoices.list()) {
    if (kindOf(i) !== 'invoice' || i.status !== 'open' || i.total.currency !== env.currency) continue
    amount += amountDue(i).amount
    invoices++
  }
  return { amount: { amount, currency: env.currency }, invoices }
}
