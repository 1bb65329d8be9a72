/** `GET /subscribers/:id/usage.csv` for the subscriber page's download links: any staff role may read it, as it may read the page. */
import type { Hono } from 'hono'
import { usageCsvResponse } from '../api/usage-csv-response.js'
import { idParam } from '../api/validate.js'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export function usageCsvRoute(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  ui.get('/subscribers/:id/usage.csv', kit.page, (c) => usageCsvResponse(c, kit.deps, idParam(c)))
}
