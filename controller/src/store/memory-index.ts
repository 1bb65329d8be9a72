/** A secondary index over one in-memory table: key → ids. */

/** What a table tells each of its indexes: rows come and go (an update is a remove and an add). */
export interface RowIndex<T> {
  add(row: T): void
  remove(row: T): void
  /**
   * Whether `row` sits in the index exactly where `old` (the same id) does, so an update need not
   * take it out and put it back: a usage batch rewrites every subscriber it books, their indexed
   * fields unchanged.
   */
  unchanged?(old: T, row: T): boolean
}

export class MemoryIndex<T extends { id: string }> implements RowIndex<T> {
  /** Sets, not arrays: a key may hold every row (all subscribers of one agent), and an update removes and adds. */
  private map = new Map<string, Set<string>>()

  /** A row is under one key, several (each of a list) or none (undefined). */
  constructor(private readonly keyOf: (row: T) => string | readonly string[] | undefined) {}

  add(row: T): void {
    for (const key of this.keysOf(row)) {
      const ids = this.map.get(key)
      if (ids) ids.add(row.id)
      else this.map.set(key, new Set([row.id]))
    }
  }

  remove(row: T): void {
    for (const key of this.keysOf(row)) {
      const ids = this.map.get(key)
      if (!ids) continue
      ids.delete(row.id)
      if (ids.size === 0) this.map.delete(key)
    }
  }

  unchanged(old: T, row: T): boolean {
    const before = this.keysOf(old)
    const after = this.keysOf(row)
    return before.length === after.length && before.every((key, i) => key === after[i])
  }

  private keysOf(row: T): readonly string[] {
    const key = this.keyOf(row)
    return key === undefined ? [] : typeof key === 'string' ? [key] : key
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
