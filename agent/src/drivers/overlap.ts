/**
 * Keeps a set of subscriber prefixes free of overlaps, first come first kept: an nft interval map
 * cannot hold two overlapping prefixes, nor could we tell their bytes apart. The agent lists rules
 * in the order it came to hold them, so the subscriber that was there first keeps its enforcement
 * and the newcomer is the one skipped.
 */
import { type IpPrefix, prefixRange } from '@capd/protocol'

export interface Owned {
  subscriberId: string
  prefix: IpPrefix
}

export interface Sorted<T extends Owned> {
  kept: T[]
  /** Each dropped item with the kept one it overlaps. */
  dropped: Array<{ item: T; keptOne: T }>
}

/**
 * O(n log n): CIDR prefixes overlap only by one holding the other, and kept ones never overlap each
 * other, so in start order the kept prefix just before an item is the only kept one that can hold it,
 * and the kept ones it holds start within it (a Fenwick tree over the start order finds both).
 */
export function keepFirst<T extends Owned>(items: readonly T[]): Sorted<T> {
  const { keptAt, droppedBy } = sameAsLast(items) ?? decide(items)
  return {
    kept: items.filter((_, i) => keptAt[i]),
    dropped: [...droppedBy]
      .sort(([a], [b]) => a - b)
      .map(([i, k]) => ({ item: items[i]!, keptOne: items[k]! })),
  }
}

interface Decision {
  keptAt: boolean[]
  /** Index of a dropped item → index of the kept one it overlaps. */
  droppedBy: Map<number, number>
}

/**
 * The last list decided and its answer: a poll or a pushed limit checks the same few thousand
 * prefixes in the same order almost every time (10k: ~80 ms of a push's plan, now ~1 ms to compare).
 */
let last: { owners: string[]; prefixes: IpPrefix[]; decision: Decision } | undefined

/** The last answer when `items` are the same owners with the very same prefix objects, in order. */
function sameAsLast(items: readonly Owned[]): Decision | undefined {
  if (!last || last.owners.length !== items.length) return undefined
  for (let i = 0; i < items.length; i++) {
    if (last.owners[i] !== items[i]!.subscriberId || last.prefixes[i] !== items[i]!.prefix) return undefined
  }
  return last.decision
}

function decide(items: readonly Owned[]): Decision {
  const keptAt = new Array<boolean>(items.length).fill(false)
  const droppedBy = new Map<number, number>()
  for (const family of [4, 6] as const) {
    const members = items
      .map((item, index) => ({ index, ...rangeOf(item.prefix), family: item.prefix.family }))
      .filter((m) => m.family === family)
    // Start order; a wider prefix before the ones it holds; equal ones in list order.
    const order = members.sort((a, b) =>
      a.start !== b.start
        ? a.start < b.start
          ? -1
          : 1
        : a.end !== b.end
          ? a.end > b.end
            ? -1
            : 1
          : a.index - b.index,
    )
    const rank = new Map(order.map((m, r) => [m.index, r]))
    const tree = new Fenwick(order.length)
    for (const m of [...order].sort((a, b) => a.index - b.index)) {
      const r = rank.get(m.index)!
      const before = tree.sum(r - 1)
      let other: number | undefined
      if (before > 0) {
        const prev = order[tree.find(before)]!
        if (prev.end >= m.start) other = prev.index
      }
      if (other === undefined) {
        // Kept ones inside m: ranks after r whose start is at most m.end.
        const last = lastStartAtMost(order, m.end)
        const upTo = tree.sum(r)
        if (tree.sum(last) > upTo) other = order[tree.find(upTo + 1)]!.index
      }
      if (other === undefined) {
        tree.add(r)
        keptAt[m.index] = true
      } else droppedBy.set(m.index, other)
    }
  }
  const decision = { keptAt, droppedBy }
  // Prefix objects are shared (prefix-cache.ts), so the same address compares equal next time.
  last = { owners: items.map((i) => i.subscriberId), prefixes: items.map((i) => i.prefix), decision }
  return decision
}

const ranges = new WeakMap<IpPrefix, { start: bigint; end: bigint }>()

function rangeOf(prefix: IpPrefix): { start: bigint; end: bigint } {
  let range = ranges.get(prefix)
  if (!range) {
    range = prefixRange(prefix)
    ranges.set(prefix, range)
  }
  return range
}

/** The last rank whose start is ≤ value (-1 if none). */
function lastStartAtMost(order: ReadonlyArray<{ start: bigint }>, value: bigint): number {
  let lo = 0
  let hi = order.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (order[mid]!.start <= value) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

/** Counts of kept items by rank: prefix sums, and the rank holding the k-th kept one. */
class Fenwick {
  private readonly tree: Int32Array

  constructor(private readonly size: number) {
    this.tree = new Int32Array(size + 1)
  }

  add(rank: number): void {
    for (let i = rank + 1; i <= this.size; i += i & -i) this.tree[i]! += 1
  }

  /** Kept items at ranks 0..rank. */
  sum(rank: number): number {
    let total = 0
    for (let i = rank + 1; i > 0; i -= i & -i) total += this.tree[i]!
    return total
  }

  /** The rank of the k-th kept item (k ≥ 1, k ≤ the total). */
  find(k: number): number {
    let pos = 0
    let left = k
    for (let step = 1 << Math.floor(Math.log2(this.size || 1)); step > 0; step >>= 1) {
      if (pos + step <= this.size && this.tree[pos + step]! < left) {
        pos += step
        left -= this.tree[pos]!
      }
    }
    return pos
  }
}
