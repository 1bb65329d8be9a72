/**
 * A table's ids in ascending order, for cursor pagination and frozen views, kept lazily: ids added
 * or removed are noted, and merged into the order when it is next read. Spliced into the array one
 * by one, the first usage of a day at 100k subscribers (100k new day rows, each id in the middle
 * of the order) moved the whole array once per row: seconds of event-loop time in batches of a
 * thousand. Merged, that is one sort of the new ids and one pass over the rest, at the next read.
 */
export class SortedIds {
  private sorted: string[]
  /** Added since the last merge, in no order. */
  private added: string[] = []
  /** In `sorted` or `added`, removed since the last merge. */
  private readonly removed = new Set<string>()

  constructor(ids: Iterable<string>) {
    this.sorted = [...ids].sort()
  }

  /** An id not in the order (the table refuses duplicates before this). */
  add(id: string): void {
    // Removed since the last merge: still in place, so it only stops being removed.
    if (!this.removed.delete(id)) this.added.push(id)
  }

  /** An id in the order. */
  remove(id: string): void {
    this.removed.add(id)
  }

  /**
   * The ids in ascending (code unit) order. The array is never changed afterwards (a merge makes a
   * new one), so a frozen view may keep it as it is; it must not be changed by the caller either.
   */
  ordered(): readonly string[] {
    if (this.added.length > 0 || this.removed.size > 0) this.merge()
    return this.sorted
  }

  private merge(): void {
    const keep = (id: string) => !this.removed.has(id)
    const old = this.removed.size > 0 ? this.sorted.filter(keep) : this.sorted
    const added = (this.removed.size > 0 ? this.added.filter(keep) : this.added).sort()
    const merged = new Array<string>(old.length + added.length)
    let i = 0
    let j = 0
    let k = 0
    while (i < old.length && j < added.length) merged[k++] = old[i]! < added[j]! ? old[i++]! : added[j++]!
    while (i < old.length) merged[k++] = old[i++]!
    while (j < added.length) merged[k++] = added[j++]!
    this.sorted = merged
    this.added = []
    this.removed.clear()
  }
}

/** The first index whose id is greater than `id`. */
export function upperBound(ids: readonly string[], id: string): number {
  let lo = 0
  let hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ids[mid]! <= id) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The first index whose id is not less than `id`. */
export function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0
  let hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ids[mid]! < id) lo = mid + 1
    else hi = mid
  }
  return lo
}
