/** A secondary index over one in-memory table: key → ids. */

/** What a table tells each of its indexes: rows come and go (an update is a remove and an add). */
export interface RowIndex<T> {
  add(row: T): void
  remove(row: T): void
}

export class MemoryIndex<T extends { id: string }> implements RowIndex<T> {
  private map = new Map<string, string[]>()

  constructor(private readonly keyOf: (row: T) => string | undefined) {}

  add(row: T): void {
    const key = this.keyOf(row)
    if (key === undefined) return
    const ids = this.map.get(key)
    if (ids) ids.push(row.id)
    else this.map.set(key, [row.id])
  }

  remove(row: T): void {
    const key = this.keyOf(row)
    if (key === undefined) return
    const ids = this.map.get(key)
    if (!ids) return
    const at = ids.lastIndexOf(row.id)
    if (at >= 0) ids.splice(at, 1)
    if (ids.length === 0) this.map.delete(key)
  }

  ids(key: string): readonly string[] {
    return this.map.get(key) ?? []
  }
}
