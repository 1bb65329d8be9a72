/** The usage history tables over the store document, indexed by subscriber. */
import type { ChangeLog } from './change-log.js'
import type { Data } from './data.js'
import { MemoryIndex } from './memory-index.js'
import { MemoryTable } from './memory-table.js'
import type { Tx } from './store.js'
import type { UsageDay, UsageMonth } from './usage-history-entities.js'

export function usageHistoryTables(d: Data, log: () => ChangeLog): Pick<Tx, 'usageDays' | 'usageMonths'> {
  const daysBySubscriber = new MemoryIndex<UsageDay>((r) => r.subscriberId)
  const usageDays = new MemoryTable('usageDays', d.usageDays, log, [daysBySubscriber])
  const monthsBySubscriber = new MemoryIndex<UsageMonth>((r) => r.subscriberId)
  const usageMonths = new MemoryTable('usageMonths', d.usageMonths, log, [monthsBySubscriber])
  return {
    usageDays: Object.assign(usageDays, {
      forSubscriber: async (subscriberId: string, fromDay: string, toDay: string) =>
        usageDays.byIndex(daysBySubscriber, subscriberId).filter((r) => r.day >= fromDay && r.day <= toDay),
      before: async (day: string, limit: number) => older(usageDays, (r) => r.day < day, limit),
    }),
    usageMonths: Object.assign(usageMonths, {
      forSubscriber: async (subscriberId: string, fromMonth: string, toMonth: string) =>
        usageMonths
          .byIndex(monthsBySubscriber, subscriberId)
          .filter((r) => r.month >= fromMonth && r.month <= toMonth),
      before: async (month: string, limit: number) => older(usageMonths, (r) => r.month < month, limit),
    }),
  }
}

/** A whole scan, run by the daily retention job only: a few million short comparisons at most. */
function older<T extends { id: string }>(
  table: MemoryTable<T>,
  old: (row: T) => boolean,
  limit: number,
): T[] {
  const found: T[] = []
  table.scanFrom(undefined, (r) => {
    if (old(r)) found.push(r)
    return found.length < limit
  })
  return found
}
