/** `GET /portal/invoices/<id>.pdf`: the customer's own documents only; any other id is "not found". */
import type { Hono } from 'hono'
import { idOfPdfFile, invoicePdfResponse, PDF_FILE } from '../documents/pdf-response.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import type { PortalPageKit } from './portal-page-auth.js'

export function invoicePdfRoute(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  ui.get(`/invoices/${PDF_FILE}`, kit.page, (c) =>
    invoicePdfResponse(c, kit.deps, idOfPdfFile(c), c.var.subscriberId),
  )
}
