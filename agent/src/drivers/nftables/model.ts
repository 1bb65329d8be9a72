/** The table as the driver believes it is after its own batch: the listing it planned from plus the batch. */
import type { InstalledTable } from './nft-json.js'
import { OverlayMap } from './overlay-map.js'
import type { Change } from './ruleset.js'

/**
 * A new listing-shaped view (the one planned from is left alone: readings hold on to it), made in
 * O(changes): its maps read through to the listing's (see OverlayMap). Counter values and quota
 * consumption stay as listed, so a plan from this view sees one consistent moment with only its own
 * changes on top. Objects created here have handle -1: never a real handle, so a counter the view
 * holds is never mistaken for one a listing shows.
 */
export function afterChanges(installed: InstalledTable, changes: readonly Change[]): InstalledTable {
  const next: InstalledTable = {
    ...installed,
    counters: OverlayMap.over(installed.counters),
    quotas: OverlayMap.over(installed.quotas),
    limits: OverlayMap.over(installed.limits),
    elements: OverlayMap.over(installed.elements),
  }
  const copied = new Map<string, Map<string, string>>()
  const elements = (name: string) => {
    let set = copied.get(name)
    if (!set) {
      set = OverlayMap.over(next.elements.get(name) ?? new Map<string, string>())
      copied.set(name, set)
      next.elements.set(name, set)
    }
    return set
  }
  // The batch's own order (see changeBatch): flushes, element deletions, objects, element additions.
  for (const c of changes) if (c.op === 'flush-set') elements(c.set).clear()
  for (const c of changes) if (c.op === 'delete-element') elements(c.set).delete(c.key)
  for (const c of changes) {
    if (c.op === 'delete-object') objectsOf(next, c.kind).delete(c.name)
    if (c.op === 'add-counter') next.counters.set(c.name, { handle: -1, packets: 0n, bytes: 0n })
    if (c.op === 'set-quota') {
      const have = next.quotas.get(c.name)
      next.quotas.set(c.name, {
        handle: have?.handle ?? -1,
        overBytes: c.overBytes,
        // A reset quota starts counting again from nothing: left at the old figure, a spent quota
        // would still look spent to the next push planned from this model.
        usedBytes: c.reset ? 0n : (have?.usedBytes ?? 0n),
      })
    }
    if (c.op === 'add-limit') {
      const { bytesPerSecond, burstBytes } = c
      next.limits.set(c.name, { handle: -1, bytesPerSecond, burstBytes, over: true })
    }
  }
  for (const c of changes) if (c.op === 'add-element') elements(c.set).set(c.key, c.value)
  return next
}

function objectsOf(table: InstalledTable, kind: 'counter' | 'quota' | 'limit'): Map<string, unknown> {
  if (kind === 'counter') return table.counters
  if (kind === 'quota') return table.quotas
  return table.limits
}
