/** Invoices, pro-formas and credit notes as PDF documents for API clients. */
import { invoicePdfResponse } from '../documents/pdf-response.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { idParam } from './validate.js'

export function documentRoutes(r: DocumentedRouter, deps: ApiDeps): void {
  r.add(
    {
      method: 'get',
      path: '/invoices/:id/pdf',
      summary:
        'An invoice, pro-forma or credit note as a PDF (application/pdf, attachment named by its number)',
      status: 200,
    },
    (c) => invoicePdfResponse(c, deps, idParam(c)),
  )
}
