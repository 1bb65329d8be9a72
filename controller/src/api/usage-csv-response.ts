/** One subscriber's usage history CSV as a download: the API, the operator UI and the portal answer alike. */
import type { Context } from 'hono'
import { notFound } from '../domain/refusal.js'
import { usageHistoryCsv } from '../domain/usage-history-csv.js'
import { usageHistory } from '../domain/usage-history-read.js'
import type { ApiDeps } from './app-env.js'
import { historyRange, UsageHistoryQuery } from './usage-history-query.js'
import { readQuery } from './validate.js'

export async function usageCsvResponse(
  c: Context,
  { store, env }: ApiDeps,
  subscriberId: string,
): Promise<Response> {
  const range = historyRange(readQuery(c, UsageHistoryQuery), env.clock.now(), env.timeZone)
  const csv = await store.transact(async (tx) => {
    if (!(await tx.subscribers.get(subscriberId))) throw notFound('subscriber', subscriberId)
    const days = await usageHistory(tx, env.timeZone, subscriberId, range.from, range.to)
    return usageHistoryCsv(days, range.granularity)
  })
  return c.body(csv, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="capd-usage-${range.granularity}-${range.from}-${range.to}.csv"`,
  })
}
