/** What an invoice PDF shows, gathered in one read: the document, its customer, the ISP, and the documents it links to. */
import { type Branding, branding } from '../domain/branding.js'
import { kindOf } from '../domain/invoices.js'
import type { DocumentKind, Invoice, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export interface DocumentLink {
  /** "Pro-forma invoice", "Invoice", "Credit note", "Credits invoice". */
  readonly label: string
  readonly number: string
}

export interface InvoiceDocument {
  readonly invoice: Invoice
  readonly kind: DocumentKind
  readonly customer: {
    readonly name: string
    readonly login: string
    readonly postalAddress?: readonly string[]
  }
  readonly isp: Branding
  readonly links: readonly DocumentLink[]
}

/** The document `id`, if it exists and (when `subscriberId` is given) belongs to that subscriber. */
export async function loadInvoiceDocument(
  tx: Tx,
  id: string,
  subscriberId?: string,
): Promise<InvoiceDocument | undefined> {
  const invoice = await tx.invoices.get(id)
  if (!invoice || (subscriberId !== undefined && invoice.subscriberId !== subscriberId)) return undefined
  const subscriber = await tx.subscribers.get(invoice.subscriberId)
  const kind = kindOf(invoice)
  const linked: [string, string | undefined][] = [
    ['Pro-forma invoice', invoice.proformaId],
    [kind === 'credit_note' ? 'Credits invoice' : 'Invoice', invoice.invoiceId],
    ['Credit note', invoice.creditNoteId],
  ]
  const links: DocumentLink[] = []
  for (const [label, linkedId] of linked) {
    const number = linkedId ? (await tx.invoices.get(linkedId))?.number : undefined
    if (number) links.push({ label, number })
  }
  const postalAddress = postalAddressOf(subscriber)
  return {
    invoice,
    kind,
    customer: {
      name: subscriber?.name ?? 'Former subscriber',
      login: subscriber?.login ?? invoice.subscriberId,
      ...(postalAddress ? { postalAddress } : {}),
    },
    isp: await branding(tx),
    links,
  }
}

/** The subscriber's postal address as lines, where the subscriber record has one (text with line breaks, or lines). */
function postalAddressOf(subscriber: Subscriber | undefined): string[] | undefined {
  const value: unknown = (subscriber as { postalAddress?: unknown } | undefined)?.postalAddress
  const lines = typeof value === 'string' ? value.split(/\r?\n/) : Array.isArray(value) ? value : []
  const kept = lines.filter((l): l is string => typeof l === 'string' && l.trim() !== '').map((l) => l.trim())
  return kept.length > 0 ? kept : undefined
}
