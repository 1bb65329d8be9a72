/**
 * A Map that remembers which keys were set or deleted since it was last asked, so the state log
 * writes only what changed: every change goes through set/delete/clear, so none can be forgotten.
 * Values must be replaced, never changed in place (the agent's books and baselines already are).
 */
export class TrackedMap<V> extends Map<string, V> {
  private changedKeys = new Set<string>()

  /** A tracked copy of `entries`, with nothing marked changed. */
  static of<V>(entries: Iterable<readonly [string, V]>): TrackedMap<V> {
    const map = new TrackedMap<V>()
    for (const [key, value] of entries) Map.prototype.set.call(map, key, value)
    return map
  }

  override set(key: string, value: V): this {
    // Map's constructor calls set before the fields exist; `of` fills through Map's own set instead.
    this.changedKeys?.add(key)
    return super.set(key, value)
  }

  override delete(key: string): boolean {
    const had = super.delete(key)
    if (had) this.changedKeys.add(key)
    return had
  }

  override clear(): void {
    for (const key of this.keys()) this.changedKeys.add(key)
    super.clear()
  }

  /** The keys changed since the last call, forgotten here (give them back with `remark` if unsaved). */
  takeChanged(): Set<string> {
    const keys = this.changedKeys
    this.changedKeys = new Set()
    return keys
  }

  /** Marks keys changed again (a write of them failed). */
  remark(keys: Iterable<string>): void {
    for (const key of keys) this.changedKeys.add(key)
  }
}
