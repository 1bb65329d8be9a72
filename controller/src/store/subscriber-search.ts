/** The operator's subscriber search over the in-memory table: filters, a substring, and cursor pages. */
import type { Subscriber } from './entities.js'
import type { MemoryTable } from './memory-table.js'
import type { Page, SubscriberQuery } from './store.js'

export function findSubscribers(table: MemoryTable<Subscriber>, query: SubscriberQuery): Page<Subscriber> {
  const q = query.q?.toLowerCase()
  const items: Subscriber[] = []
  let more = false
  table.scanFrom(query.after, (s) => {
    if ((s.deletedAtMs !== undefined) !== (query.deleted ?? false)) return true
    if (query.state && s.state !== query.state) return true
    if (query.agentId && s.agentId !== query.agentId) return true
    if (q && !matches(s, q)) return true
    if (items.length === query.limit) {
      more = true
      return false
    }
    items.push(s)
    return true
  })
  return { items, nextCursor: more ? items[items.length - 1]!.id : null }
}

function matches(s: Subscriber, q: string): boolean {
  return (
    s.name.toLowerCase().includes(q) ||
    s.login.toLowerCase().includes(q) ||
    (s.address?.includes(q) ?? false) ||
    (s.email?.toLowerCase().includes(q) ?? false)
  )
}
