import { describe, expect, it } from 'vitest'
import { setNames } from './layout.js'
import type { InstalledTable } from './nft-json.js'
import { OverlayMap } from './overlay-map.js'
import { indexInSlices, keysWithValue } from './value-index.js'

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const QUOTAS = setNames(4).quotaDown

function table(elements: Map<string, string>): InstalledTable {
  return {
    handle: 1,
    counters: new Map(),
    quotas: new Map(),
    limits: new Map(),
    elements: new Map([[QUOTAS, elements]]),
    chain: undefined,
  }
}

const scan = (map: ReadonlyMap<string, string>, value: string) =>
  [...map].filter(([, held]) => held === value).map(([key]) => key)

describe('keysWithValue', () => {
  it('finds the same keys as reading every element, indexed or not, through chains of overlays', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rnd = random(seed)
      const pick = (n: number) => Math.floor(rnd() * n)
      const base = new Map(Array.from({ length: 30 + pick(30) }, (_, i) => [`10.0.0.${i}`, `q_s${pick(12)}`]))
      // An indexed map is a listing's: never changed, only read through an overlay.
      const indexed = seed % 2 === 0
      if (indexed) await indexInSlices(table(base), async () => {})
      let map: Map<string, string> = indexed ? OverlayMap.over(base) : base
      for (let step = 0; step < 60; step++) {
        if (rnd() < 0.2) map = OverlayMap.over(map, 1 + pick(40))
        const key = `10.0.0.${pick(70)}`
        const r = rnd()
        if (r < 0.45) map.set(key, `q_s${pick(12)}`)
        else if (r < 0.9) map.delete(key)
        else if (r < 0.93 && map !== base) map.clear()
        for (let s = 0; s < 12; s++) {
          const found = [...keysWithValue(map, `q_s${s}`)].sort()
          expect(found, `seed ${seed} step ${step} q_s${s}`).toEqual(scan(map, `q_s${s}`).sort())
        }
      }
    }
  })
})
