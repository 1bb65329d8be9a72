/** The lazily merged id order against a plain sorted copy, over random adds, removals and reads. */
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { SortedIds } from './sorted-ids.js'

describe('sorted ids', () => {
  it('read at any moment, are the ids then in code unit order; an order read before stays as it was', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = seededRandom(seed)
      const pick = <T>(items: readonly T[]): T => items[rnd.int(0, items.length - 1)]!
      // Few distinct ids, so ids come back after their removal, before and after a merge.
      const pool = Array.from({ length: rnd.int(1, 40) }, (_, i) => `${pick(['a', 'B', 'é', '1'])}${i}`)
      const live = new Set(pool.filter(() => rnd.next() < 0.5))
      const ids = new SortedIds(live)
      const kept: { order: readonly string[]; copy: string[] }[] = []
      for (let step = 0; step < 60; step++) {
        const id = pick(pool)
        const r = rnd.next()
        if (r < 0.4 && !live.has(id)) {
          ids.add(id)
          live.add(id)
        } else if (r < 0.8 && live.has(id)) {
          ids.remove(id)
          live.delete(id)
        } else if (r >= 0.8) {
          const order = ids.ordered()
          expect(order, `seed ${seed} step ${step}`).toEqual([...live].sort())
          kept.push({ order, copy: [...order] })
        }
      }
      expect(ids.ordered(), `seed ${seed}`).toEqual([...live].sort())
      for (const { order, copy } of kept) expect(order, `seed ${seed}: an order read earlier`).toEqual(copy)
    }
  })
})
