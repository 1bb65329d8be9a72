/** Usage history as CSV (RFC 4180, see csv.ts): one line per local day, or per hour of each day. */
import { type Cell, csvDocument } from './csv.js'
import type { DayPoint } from './usage-history-read.js'

export type Granularity = 'day' | 'hour'

const n = (bytes: number): Cell => ({ decimal: String(bytes) })

export function usageHistoryCsv(days: readonly DayPoint[], granularity: Granularity): string {
  if (granularity === 'day') {
    return csvDocument(
      ['day', 'download_bytes', 'upload_bytes', 'total_bytes'],
      days.map((d) => [d.day, n(d.down), n(d.up), n(d.down + d.up)]),
    )
  }
  // Days past the hourly retention have no hours left: they are left out rather than shown as zeros.
  return csvDocument(
    ['hour_start', 'day', 'local_time', 'download_bytes', 'upload_bytes', 'total_bytes'],
    days.flatMap((d) =>
      (d.hours ?? []).map((h) => [
        new Date(h.startMs).toISOString(),
        d.day,
        h.localTime,
        n(h.down),
        n(h.up),
        n(h.down + h.up),
      ]),
    ),
  )
}
