/** A subscriber's usage history as CSV, by day or hour (`GET /subscribers/:id/usage.csv`). */
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { usageCsvResponse } from './usage-csv-response.js'
import { UsageHistoryQuery } from './usage-history-query.js'
import { idParam } from './validate.js'

export function usageHistoryRoutes(r: DocumentedRouter, deps: ApiDeps): void {
  r.add(
    {
      method: 'get',
      path: '/subscribers/:id/usage.csv',
      summary:
        "A subscriber's counted usage (download, upload) per day or per hour as CSV: ?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=day|hour (both days included, the ISP's zone)",
      query: UsageHistoryQuery,
      status: 200,
    },
    (c) => usageCsvResponse(c, deps, idParam(c)),
  )
}
