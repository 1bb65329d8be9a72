/**
 * A map read through to a base it never changes: a listing's 10k objects with a push's few changes
 * on top, made in O(changes) instead of copying the listing (~20 ms a push at 10k subscribers).
 * Iteration yields the base's live entries, then the changed ones (a changed key moves to the end);
 * changing the map while iterating it is not supported (a key set meanwhile may come round again).
 */
export class OverlayMap<K, V> extends Map<K, V> {
  /** Keys of `base` deleted here. */
  private readonly gone = new Set<K>()
  /** Cleared here: nothing of `base` shows. */
  private cleared = false

  private constructor(private readonly base: ReadonlyMap<K, V>) {
    super()
  }

  /**
   * A map that starts as `of` and may be changed without changing it. Over another overlay it reads
   * through to that one's base with its changes copied, so reads never go more than one map deep;
   * past `flattenAfter` changes it is copied whole (many pushes with no listing between).
   */
  static over<K, V>(of: ReadonlyMap<K, V>, flattenAfter = 4096): Map<K, V> {
    if (!(of instanceof OverlayMap)) return new OverlayMap(of)
    const prev = of as OverlayMap<K, V>
    if (prev.changes() > flattenAfter) return new Map(prev)
    const next = new OverlayMap<K, V>(prev.base)
    next.cleared = prev.cleared
    for (const key of prev.gone) next.gone.add(key)
    for (const [key, value] of prev.own()) next.set(key, value)
    return next
  }

  private changes(): number {
    return this.gone.size + super.size
  }

  private *own(): IterableIterator<[K, V]> {
    yield* super.entries()
  }

  private inBase(key: K): boolean {
    return !this.cleared && !this.gone.has(key) && this.base.has(key)
  }

  override get(key: K): V | undefined {
    if (super.has(key)) return super.get(key)
    return this.inBase(key) ? this.base.get(key) : undefined
  }

  override has(key: K): boolean {
    return super.has(key) || this.inBase(key)
  }

  override set(key: K, value: V): this {
    this.gone.delete(key)
    super.set(key, value)
    return this
  }

  override delete(key: K): boolean {
    const had = this.has(key)
    super.delete(key)
    if (!this.cleared && this.base.has(key)) this.gone.add(key)
    return had
  }

  override clear(): void {
    super.clear()
    this.gone.clear()
    this.cleared = true
  }

  override get size(): number {
    if (this.cleared) return super.size
    let hidden = this.gone.size
    for (const key of super.keys()) if (this.base.has(key) && !this.gone.has(key)) hidden++
    return this.base.size - hidden + super.size
  }

  override *entries(): MapIterator<[K, V]> {
    if (!this.cleared) {
      for (const entry of this.base) if (!this.gone.has(entry[0]) && !super.has(entry[0])) yield entry
    }
    yield* super.entries()
  }

  override *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key
  }

  override *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) fn.call(thisArg, value, key, this)
  }
}
