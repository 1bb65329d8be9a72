/** The answer to every invoice PDF route: the document as an attachment named by its number, or 404. */
import type { Context } from 'hono'
import type { DomainEnv } from '../domain/env.js'
import { notFound } from '../domain/refusal.js'
import type { Store } from '../store/store.js'
import { loadInvoiceDocument } from './invoice-document.js'
import { invoicePdf } from './invoice-pdf.js'

/** Routes name a PDF `/<id>.pdf`; this is the id (the `.pdf` is part of the route's pattern). */
export const PDF_FILE = ':file{[^/]+\\.pdf}'
export const idOfPdfFile = (c: Context) => (c.req.param('file') ?? '').replace(/\.pdf$/, '')

/**
 * The PDF of document `id`. With `subscriberId`, only that subscriber's own: another's is "does not
 * exist" exactly like an unknown id, so a customer cannot learn which ids are real.
 */
export async function invoicePdfResponse(
  c: Context,
  deps: { store: Store; env: DomainEnv },
  id: string,
  subscriberId?: string,
): Promise<Response> {
  const doc = await deps.store.peek((tx) => loadInvoiceDocument(tx, id, subscriberId))
  if (!doc) throw notFound('invoice', id)
  const pdf = await invoicePdf(doc, { timeZone: deps.env.timeZone })
  // Numbers are `INV-2026-000001`; anything else is made safe for a header.
  const filename = `${doc.invoice.number.replace(/[^A-Za-z0-9-]/g, '_')}.pdf`
  return c.body(pdf as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Content-Length': String(pdf.byteLength),
    // One customer's (or the operator's) books: never kept by a shared cache.
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
}
