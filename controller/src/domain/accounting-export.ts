/**
 * The accounting export: invoices (with credit notes, negative, so a column sums to what was
 * invoiced net of credits; pro-formas left out, they are never revenue), payments and credit notes
 * issued or received in a date range of the controller's zone.
 */
import type { Money } from '@capd/protocol'
import type { Invoice, Payment } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { type Cell, csvDocument, decimal, isoTime } from './csv.js'
import { amountPaid } from './invoice-amounts.js'
import { kindOf } from './invoices.js'

/** `[fromMs, toMs)`: the first instant of the first day to the first instant after the last. */
export interface DateRange {
  fromMs: number
  toMs: number
}

export type ExportName = 'invoices' | 'payments' | 'credit-notes'

const within = (atMs: number, r: DateRange) => atMs >= r.fromMs && atMs < r.toMs
const negate = (m: Money | undefined): Money | undefined => m && { amount: -m.amount, currency: m.currency }
const money = (m: Money | undefined): Cell => (m ? decimal(m) : undefined)

export async function accountingExport(tx: Tx, name: ExportName, range: DateRange): Promise<string> {
  const all = await tx.invoices.list()
  const byId = new Map(all.map((i) => [i.id, i]))
  const names = new Map((await tx.subscribers.list()).map((s) => [s.id, s.name]))
  const numberOf = (id: string | undefined) => (id ? byId.get(id)?.number : undefined)
  const documents = all.filter((i) => within(i.issuedAtMs, range))

  if (name === 'invoices') {
    const header = [
      'number',
      'kind',
      'issued_at',
      'subscriber_id',
      'subscriber',
      'status',
      'net',
      'tax',
      'total',
      'amount_paid',
      'currency',
      'credit_note',
      'credits_invoice',
      'void_reason',
    ]
    const rows = documents
      .filter((i) => kindOf(i) !== 'proforma')
      .map((i): Cell[] => {
        const credit = kindOf(i) === 'credit_note'
        const sign = (m: Money | undefined) => (credit ? negate(m) : m)
        return [
          i.number,
          kindOf(i),
          isoTime(i.issuedAtMs),
          i.subscriberId,
          names.get(i.subscriberId),
          i.status,
          money(sign(i.net ?? i.total)),
          money(sign(i.tax ?? { amount: 0, currency: i.total.currency })),
          money(sign(i.total)),
          credit ? undefined : money(amountPaid(i)),
          i.total.currency,
          credit ? undefined : numberOf(i.creditNoteId),
          credit ? numberOf(i.invoiceId) : undefined,
          i.voidReason,
        ]
      })
    return csvDocument(header, rows)
  }

  if (name === 'credit-notes') {
    const header = [
      'number',
      'issued_at',
      'subscriber_id',
      'subscriber',
      'credits_invoice',
      'reason',
      'net',
      'tax',
      'total',
      'currency',
    ]
    const rows = documents
      .filter((i) => kindOf(i) === 'credit_note')
      .map((i): Cell[] => {
        const invoice: Invoice | undefined = i.invoiceId ? byId.get(i.invoiceId) : undefined
        return [
          i.number,
          isoTime(i.issuedAtMs),
          i.subscriberId,
          names.get(i.subscriberId),
          invoice?.number,
          invoice?.voidReason,
          money(i.net ?? i.total),
          money(i.tax ?? { amount: 0, currency: i.total.currency }),
          money(i.total),
          i.total.currency,
        ]
      })
    return csvDocument(header, rows)
  }

  const header = [
    'id',
    'received_at',
    'subscriber_id',
    'subscriber',
    'method',
    'reference',
    'amount',
    'currency',
    'invoices',
    'allocated',
    'to_balance',
  ]
  const payments: Payment[] = (await tx.payments.list()).filter((p) => within(p.createdAtMs, range))
  const rows = payments.map((p): Cell[] => {
    const allocated = (p.allocations ?? []).reduce((sum, a) => sum + a.amount.amount, 0)
    const currency = p.amount.currency
    return [
      p.id,
      isoTime(p.createdAtMs),
      p.subscriberId,
      names.get(p.subscriberId),
      p.method ?? 'other',
      p.reference,
      decimal(p.amount),
      currency,
      (p.allocations ?? []).map((a) => numberOf(a.invoiceId) ?? a.invoiceId).join(' '),
      decimal({ amount: allocated, currency }),
      decimal({ amount: p.amount.amount - allocated, currency }),
    ]
  })
  return csvDocument(header, rows)
}
