import { describe, expect, it } from 'vitest'
import { OverlayMap } from './overlay-map.js'

/** A small deterministic generator, so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const sorted = (map: ReadonlyMap<number, string>) => [...map].sort(([a], [b]) => a - b)

describe('OverlayMap', () => {
  it('reads, writes and iterates as a copied Map would, over chains of overlays, leaving every base as it was', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed)
      const pick = (n: number) => Math.floor(rnd() * n)
      const base = new Map(Array.from({ length: pick(40) }, (_, i) => [i * 2, `b${i}`] as [number, string]))
      const baseBefore = sorted(base)
      let layer: Map<number, string> = OverlayMap.over(base, 1 + pick(30))
      let copy = new Map(base)
      const layers: Array<{ map: Map<number, string>; expected: Array<[number, string]> }> = []
      for (let op = 0; op < 120; op++) {
        const key = pick(90)
        const r = rnd()
        if (r < 0.4) {
          layer.set(key, `v${seed}.${op}`)
          copy.set(key, `v${seed}.${op}`)
        } else if (r < 0.75) {
          expect(layer.delete(key), `seed ${seed} op ${op} delete ${key}`).toBe(copy.delete(key))
        } else if (r < 0.78) {
          layer.clear()
          copy.clear()
        } else if (r < 0.9) {
          // A new overlay over this one: the one before must stay as it was.
          layers.push({ map: layer, expected: sorted(copy) })
          layer = OverlayMap.over(layer, 1 + pick(30))
          copy = new Map(copy)
        }
        expect(layer.has(key), `seed ${seed} op ${op} has ${key}`).toBe(copy.has(key))
        expect(layer.get(key)).toBe(copy.get(key))
        expect(layer.size, `seed ${seed} op ${op} size`).toBe(copy.size)
      }
      expect(sorted(layer)).toEqual(sorted(copy))
      expect([...layer.keys()].sort((a, b) => a - b)).toEqual([...copy.keys()].sort((a, b) => a - b))
      expect([...layer.values()].sort()).toEqual([...copy.values()].sort())
      const each: Array<[number, string]> = []
      layer.forEach((value, key) => {
        each.push([key, value])
      })
      expect(each.sort(([a], [b]) => a - b)).toEqual(sorted(copy))
      for (const { map, expected } of layers) expect(sorted(map)).toEqual(expected)
      expect(sorted(base)).toEqual(baseBefore)
    }
  })

  it('reads never go more than one map deep, and many changes are copied into a plain Map', () => {
    const base = new Map([[1, 'a']])
    let layer: Map<number, string> = OverlayMap.over(base)
    for (let i = 0; i < 10; i++) {
      layer = OverlayMap.over(layer)
      layer.set(100 + i, 'x')
    }
    expect(layer).toBeInstanceOf(OverlayMap)
    expect(layer.size).toBe(11)
    const flattened = OverlayMap.over(layer, 5)
    expect(flattened).not.toBeInstanceOf(OverlayMap)
    expect(sorted(flattened)).toEqual(sorted(layer))
  })
})
