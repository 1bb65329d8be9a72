/**
 * Which addresses of a map point at an object: a pushed subscriber's installed addresses, found
 * without reading the 10k elements of every map (~3 ms a push at 10k subscribers). The driver
 * indexes each listing it takes, a slice at a time; a listing's maps never change after (the
 * driver's own changes go on top of them, see model.ts), so neither does the index.
 */
import { SETS } from './layout.js'
import type { InstalledTable } from './nft-json.js'
import { OverlayMap } from './overlay-map.js'

type Elements = ReadonlyMap<string, string>

const indexes = new WeakMap<Elements, ReadonlyMap<string, readonly string[]>>()

/** The keys of `map` whose value is `value`: through its index if it has one, else read in full. */
export function keysWithValue(map: Elements, value: string): readonly string[] {
  if (map instanceof OverlayMap) return map.keysWith(value, (base) => keysIn(base, value))
  return keysIn(map, value)
}

function keysIn(map: Elements, value: string): readonly string[] {
  const index = indexes.get(map)
  if (index) return index.get(value) ?? []
  const keys: string[] = []
  for (const [key, held] of map) if (held === value) keys.push(key)
  return keys
}

/** Indexes the object maps of a listing, letting the loop turn every few thousand elements. */
export async function indexInSlices(installed: InstalledTable, breathe: () => Promise<void>): Promise<void> {
  for (const spec of SETS) {
    const map = spec.objects && installed.elements.get(spec.name)
    if (!map || map instanceof OverlayMap || indexes.has(map)) continue
    const index = new Map<string, string[]>()
    let n = 0
    for (const [key, value] of map) {
      add(index, key, value)
      if (++n % 5000 === 0) await breathe()
    }
    indexes.set(map, index)
  }
}

function add(index: Map<string, string[]>, key: string, value: string): void {
  const keys = index.get(value)
  if (keys) keys.push(key)
  else index.set(value, [key])
}
