/** `GET /invoices/<id>.pdf`: any staff role may read any document, as it may read every page. */
import type { Hono } from 'hono'
import { idOfPdfFile, invoicePdfResponse, PDF_FILE } from '../documents/pdf-response.js'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export function invoicePdfRoute(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  ui.get(`/invoices/${PDF_FILE}`, kit.page, (c) => invoicePdfResponse(c, kit.deps, idOfPdfFile(c)))
}
