/** A secondary index over one in-memory table: key → ids. */

/** What a table tells each of its indexes: rows come and go (an update is a remove and an add). */
export interface RowIndex<T> {
  add(row: T): void
  remove(row: T): void
}

export class MemoryIndex<T extends { id: string }> implements RowIndex<T> {
  /** Sets, not arrays: a key may hold every row (all subscribers of one agent), and an update removes and adds. */
  private map = new Map<string, Set<string>>()

  constructor(private readonly keyOf: (row: T) => string | undefined) {}

  add(row: T): void {
    const key = this.keyOf(row)
    if (key === undefined) return
    const ids = this.map.get(key)
    if (ids) ids.add(row.id)
    else this.map.set(key, new Set([row.id]))
  }

  remove(row: T): void {
    const key = this.keyOf(row)
    if (key === undefined) return
    const ids = this.map.get(key)
    if (!ids) return
    ids.delete(row.id)
    if (ids.size === 0) this.map.delete(key)
  }

  /** The ids under `key`, in no particular order. */
  ids(key: string): readonly string[] {
    const ids = this.map.get(key)
    return ids ? [...ids] : []
  }

  count(key: string): number {
    return this.map.get(key)?.size ?? 0
  }
}
