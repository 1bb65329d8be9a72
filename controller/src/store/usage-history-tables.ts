/** The usage history table over the store document, indexed by subscriber. */
import type { ChangeLog } from './change-log.js'
import type { Data } from './data.js'
import { MemoryIndex } from './memory-index.js'
import { MemoryTable } from './memory-table.js'
import type { Tx } from './store.js'
import type { UsageDay } from './usage-history-entities.js'

export function usageHistoryTables(d: Data, log: () => ChangeLog): Pick<Tx, 'usageDays'> {
  const bySubscriber = new MemoryIndex<UsageDay>((r) => r.subscriberId)
  const usageDays = new MemoryTable('usageDays', d.usageDays, log, [bySubscriber])
  return {
    usageDays: Object.assign(usageDays, {
      // Ids are `<subscriberId>/<day>`, so id order is day order within one subscriber.
      forSubscriber: async (subscriberId: string, fromDay: string, toDay: string) =>
        usageDays.byIndex(bySubscriber, subscriberId).filter((r) => r.day >= fromDay && r.day <= toDay),
      stale: async (beforeDay: string, hoursBeforeDay: string, limit: number) => {
        const found: UsageDay[] = []
        usageDays.scanFrom(undefined, (r) => {
          if (r.day < beforeDay || (r.hourDown !== undefined && r.day < hoursBeforeDay)) found.push(r)
          return found.length < limit
        })
        return found
      },
    }),
  }
}
