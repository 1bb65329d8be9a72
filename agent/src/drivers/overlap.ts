/** Finds two subscribers whose prefixes overlap: an nft interval map cannot hold both, nor could we tell their bytes apart. */
import type { IpPrefix } from '@capd/protocol'

export interface Owned {
  subscriberId: string
  prefix: IpPrefix
}

/** The first overlapping pair in the same family, or undefined. */
export function findOverlap(items: readonly Owned[]): [Owned, Owned] | undefined {
  for (const family of [4, 6] as const) {
    const ranges = items
      .filter((item) => item.prefix.family === family)
      .map((item) => ({ item, ...rangeOf(item.prefix) }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
    let widest = ranges[0]
    for (const range of ranges.slice(1)) {
      if (widest && range.start <= widest.end) return [widest.item, range.item]
      if (!widest || range.end > widest.end) widest = range
    }
  }
  return undefined
}

function rangeOf(prefix: IpPrefix): { start: bigint; end: bigint } {
  const bits = prefix.family === 4 ? 32 : 128
  const start = prefix.family === 4 ? v4(prefix.address) : v6(prefix.address)
  return { start, end: start + (1n << BigInt(bits - prefix.prefixLength)) - 1n }
}

const v4 = (text: string) => text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(part), 0n)

/** Canonical IPv6 text (hex groups, at most one `::`) to its 128-bit value. */
function v6(text: string): bigint {
  const [head = '', tail] = text.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(`0x${group}`), 0n)
}
