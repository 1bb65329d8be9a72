/**
 * Which subscriber on an agent holds an address that overlaps a given one, without a scan: the router
 * could not tell two overlapping subscribers' bytes apart, nor block one without the other.
 */
import { type IpPrefix, parseIpPrefix, prefixRange } from '@capd/protocol'

interface Row {
  id: string
  agentId: string
  /** Absent: known by login, so in no overlap check. */
  address?: string | undefined
}

interface Entry {
  start: bigint
  id: string
}

/**
 * Two CIDR prefixes overlap only when one holds the other. Those inside a prefix P (or equal to it)
 * start within P: one binary search in the bucket's entries sorted by start finds them. Those around P
 * are P cut to a shorter length: at most 32 or 128 map look-ups. So a check costs O(log n + bits) and
 * an add or remove one binary search and one array splice (a memmove, fast at 100k entries).
 */
export class AddressIndex<T extends Row> {
  /** `agentId|family` → entries in (start, id) order. */
  private readonly sorted = new Map<string, Entry[]>()
  /** `agentId|family|prefixLength|start` → ids. */
  private readonly exact = new Map<string, string[]>()

  /** `holds` says which rows count (the rest are left out of every check). */
  constructor(private readonly holds: (row: T) => boolean = () => true) {}

  add(row: T): void {
    if (!this.holds(row)) return
    const prefix = tryParse(row.address)
    if (!prefix) return
    const start = prefixRange(prefix).start
    const list = this.bucket(row.agentId, prefix.family, true)!
    list.splice(lowerBound(list, start, row.id), 0, { start, id: row.id })
    const key = exactKey(row.agentId, prefix.family, prefix.prefixLength, start)
    this.exact.set(key, [...(this.exact.get(key) ?? []), row.id])
  }

  remove(row: T): void {
    if (!this.holds(row)) return
    const prefix = tryParse(row.address)
    if (!prefix) return
    const start = prefixRange(prefix).start
    const list = this.bucket(row.agentId, prefix.family, false)
    const at = list ? lowerBound(list, start, row.id) : -1
    if (list && list[at]?.id === row.id && list[at].start === start) list.splice(at, 1)
    const key = exactKey(row.agentId, prefix.family, prefix.prefixLength, start)
    const ids = (this.exact.get(key) ?? []).filter((id) => id !== row.id)
    if (ids.length > 0) this.exact.set(key, ids)
    else this.exact.delete(key)
  }

  unchanged(old: T, row: T): boolean {
    return old.address === row.address && old.agentId === row.agentId && this.holds(old) === this.holds(row)
  }

  /** The id of a row on `agentId` (other than `exceptId`) whose address overlaps `prefix`, if any. */
  overlapping(agentId: string, prefix: IpPrefix, exceptId?: string): string | undefined {
    const { start, end } = prefixRange(prefix)
    const list = this.bucket(agentId, prefix.family, false) ?? []
    for (let i = lowerBound(list, start, ''); i < list.length && list[i]!.start <= end; i++) {
      if (list[i]!.id !== exceptId) return list[i]!.id
    }
    const bits = prefix.family === 4 ? 32 : 128
    for (let length = prefix.prefixLength - 1; length >= 0; length--) {
      const hostBits = BigInt(bits - length)
      const network = (start >> hostBits) << hostBits
      const ids = this.exact.get(exactKey(agentId, prefix.family, length, network))
      const other = ids?.find((id) => id !== exceptId)
      if (other) return other
    }
    return undefined
  }

  private bucket(agentId: string, family: 4 | 6, create: boolean): Entry[] | undefined {
    const key = `${agentId}|${family}`
    const list = this.sorted.get(key)
    if (list || !create) return list
    const fresh: Entry[] = []
    this.sorted.set(key, fresh)
    return fresh
  }
}

const exactKey = (agentId: string, family: 4 | 6, length: number, start: bigint) =>
  `${agentId}|${family}|${length}|${start.toString(16)}`

/**
 * Stored addresses were checked when written; one that no longer parses is simply not indexed, nor is
 * a subscriber without one (known by login: its address changes at each login).
 */
function tryParse(address: string | undefined): IpPrefix | undefined {
  if (address === undefined) return undefined
  try {
    return parseIpPrefix(address)
  } catch {
    return undefined
  }
}

/** The first position whose entry is not before (start, id). */
function lowerBound(list: readonly Entry[], start: bigint, id: string): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const e = list[mid]!
    if (e.start < start || (e.start === start && e.id < id)) lo = mid + 1
    else hi = mid
  }
  return lo
}
