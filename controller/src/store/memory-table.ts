/** A table kept in the store document, with secondary indexes; every change is logged for undo and redo. */

import type { ChangeLog } from './change-log.js'
import { deepFreeze } from './deep-freeze.js'
import type { MemoryIndex, RowIndex } from './memory-index.js'
import { lowerBound, SortedIds, upperBound } from './sorted-ids.js'
import type { Table } from './store.js'

/**
 * A table as it was at one moment, readable later while the table goes on changing: its ids then
 * (in id order) and each one's row then. Copy-on-write: the table keeps the old row of each id it
 * writes while the view is open, so taking one costs a copy of the id list, not of the rows.
 */
export interface FrozenTable {
  readonly ids: readonly string[]
  rowAt(id: string): unknown
  /** Stops keeping old rows; the view must not be read after this. */
  release(): void
}

export class MemoryTable<T extends { id: string }> implements Table<T> {
  /** Ids in ascending order, for cursor pagination and frozen views. */
  private readonly sortedIds: SortedIds
  /** While a frozen view is open: the row each id written since had when it was taken (undefined: none). */
  private rowsAtView: Map<string, T | undefined> | undefined

  constructor(
    /** The table's key in the document, as the write-ahead log names it. */
    readonly name: string,
    private readonly rows: Record<string, T>,
    private readonly log: () => ChangeLog,
    private readonly indexes: readonly RowIndex<NoInfer<T>>[] = [],
    /** Told of every write (old row, new row; undefined for none), for what a commit hands on. */
    private readonly written: (old: T | undefined, row: T | undefined) => void = () => {},
  ) {
    this.sortedIds = new SortedIds(Object.keys(rows))
    for (const row of Object.values(rows)) {
      deepFreeze(row)
      for (const index of indexes) index.add(row)
    }
  }

  async get(id: string): Promise<T | undefined> {
    return this.getNow(id)
  }

  getNow(id: string): T | undefined {
    return Object.hasOwn(this.rows, id) ? this.rows[id] : undefined
  }

  async list(): Promise<T[]> {
    return this.sortedIds.ordered().map((id) => this.rows[id]!)
  }

  async insert(row: T): Promise<void> {
    if (Object.hasOwn(this.rows, row.id)) throw new Error(`duplicate id ${row.id}`)
    deepFreeze(row)
    this.keepBefore(row.id, undefined)
    this.rows[row.id] = row
    this.sortedIds.add(row.id)
    for (const index of this.indexes) index.add(row)
    this.written(undefined, row)
    this.log().record(
      () => {
        delete this.rows[row.id]
        this.sortedIds.remove(row.id)
        for (const index of this.indexes) index.remove(row)
      },
      { o: 's', t: this.name, k: row.id, v: row },
    )
  }

  /** Memory has no round trip to save: the same checks as insert. */
  insertNew(row: T): Promise<void> {
    return this.insert(row)
  }

  async update(row: T): Promise<void> {
    const old = this.getNow(row.id)
    if (!old) throw new Error(`update of missing id ${row.id}`)
    deepFreeze(row)
    this.keepBefore(row.id, old)
    this.rows[row.id] = row
    this.reindex(old, row)
    this.written(old, row)
    this.log().record(
      () => {
        this.rows[row.id] = old
        this.reindex(row, old)
      },
      { o: 's', t: this.name, k: row.id, v: row },
    )
  }

  /** Removes the row with this id, if there is one. */
  async delete(id: string): Promise<void> {
    const old = this.getNow(id)
    if (!old) return
    this.keepBefore(id, old)
    delete this.rows[id]
    this.sortedIds.remove(id)
    for (const index of this.indexes) index.remove(old)
    this.written(old, undefined)
    this.log().record(
      () => {
        this.rows[id] = old
        this.sortedIds.add(id)
        for (const index of this.indexes) index.add(old)
      },
      { o: 'd', t: this.name, k: id },
    )
  }

  /** The table as it is now, for a reader that walks it over many turns of the event loop. */
  freeze(): FrozenTable {
    if (this.rowsAtView) throw new Error(`table ${this.name} already has a frozen view open`)
    const before = new Map<string, T | undefined>()
    this.rowsAtView = before
    return {
      ids: this.sortedIds.ordered(),
      rowAt: (id) => (before.has(id) ? before.get(id) : this.rows[id]),
      release: () => {
        if (this.rowsAtView === before) this.rowsAtView = undefined
      },
    }
  }

  private reindex(old: T, row: T): void {
    for (const index of this.indexes) {
      if (index.unchanged?.(old, row)) continue
      index.remove(old)
      index.add(row)
    }
  }

  // Only the first write counts: later ones (and undos, which restore it) never reach the view.
  private keepBefore(id: string, row: T | undefined): void {
    if (this.rowsAtView && !this.rowsAtView.has(id)) this.rowsAtView.set(id, row)
  }

  /** Rows with ids from `index`, in id order. */
  byIndex(index: MemoryIndex<T>, key: string): T[] {
    return [...index.ids(key)].sort().map((id) => this.rows[id]!)
  }

  /** Walks rows in id order starting after `after`; `visit` returns false to stop. */
  scanFrom(after: string | undefined, visit: (row: T) => boolean): void {
    const ids = this.sortedIds.ordered()
    let i = after === undefined ? 0 : upperBound(ids, after)
    for (; i < ids.length; i++) if (!visit(this.rows[ids[i]!]!)) return
  }

  /** Walks rows in reverse id order starting before `before`; `visit` returns false to stop. */
  scanBackFrom(before: string | undefined, visit: (row: T) => boolean): void {
    const ids = this.sortedIds.ordered()
    let i = (before === undefined ? ids.length : lowerBound(ids, before)) - 1
    for (; i >= 0; i--) if (!visit(this.rows[ids[i]!]!)) return
  }
}
