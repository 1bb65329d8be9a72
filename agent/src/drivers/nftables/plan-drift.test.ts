import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import type { CounterReading } from '../driver.js'
import { afterChanges } from './model.js'
import type { InstalledTable } from './nft-json.js'
import { planChanges } from './plan.js'
import { emptyTable, randomRule } from './testing-tables.js'

type Random = ReturnType<typeof seededRandom>

const reading: CounterReading = { atMs: 0, bootId: 'b', samples: [] }

/** A table as a listing gives it: plain maps, nothing read through to another. */
function listed(table: InstalledTable): InstalledTable {
  return {
    ...table,
    counters: new Map(table.counters),
    quotas: new Map(table.quotas),
    limits: new Map(table.limits),
    elements: new Map([...table.elements].map(([name, e]) => [name, new Map(e)])),
  }
}

/** Which objects and elements a table holds (quota figures aside: a repaired quota starts afresh). */
function shape(table: InstalledTable) {
  return {
    counters: [...table.counters.keys()].sort(),
    quotas: [...table.quotas.keys()].sort(),
    limits: Object.fromEntries(
      [...table.limits].map(([n, l]) => [n, `${l.bytesPerSecond}/${l.burstBytes}`]).sort(),
    ),
    elements: Object.fromEntries(
      [...table.elements].map(([n, e]) => [n, Object.fromEntries([...e].sort())] as const).sort(),
    ),
  }
}

const pick = <T>(r: Random, items: readonly T[]): T | undefined =>
  items.length === 0 ? undefined : items[r.int(0, items.length - 1)]

const STRAY_ADDRESSES = ['10.77.0.1', '10.77.0.8/29', 'fd00:77::1']

/**
 * Someone else's hand in the table: objects and elements taken away, strays put in, values
 * changed. Often one taken and one put in of the same kind, so the table keeps its size.
 */
function drift(r: Random, table: InstalledTable): void {
  for (let n = r.int(1, 4); n > 0; n--) {
    const kind = r.int(0, 2)
    const objects = [table.counters, table.quotas, table.limits][kind]! as Map<string, unknown>
    const op = r.int(0, 3)
    const swap = op === 3
    if (op === 0 || swap) {
      const name = pick(r, [...objects.keys()])
      if (name) objects.delete(name)
    }
    if (op === 1 || swap) {
      const name = `${['cd', 'q', 'ld'][kind]}_ghost${r.int(0, 9)}`
      const object = [
        { handle: 900, packets: 0n, bytes: 0n },
        { handle: 900, overBytes: 5n, usedBytes: 0n },
        { handle: 900, bytesPerSecond: 1, burstBytes: 1, over: true },
      ][kind]
      objects.set(name, object)
    }
    const set = pick(r, [...table.elements.values()])!
    const key = pick(r, [...set.keys()])
    if (op === 2 && key) set.set(key, set.get(key) === '' ? 'cd_ghost0' : '')
    if ((op === 0 || swap) && key) set.delete(key)
    if (op === 1 || swap) set.set(pick(r, STRAY_ADDRESSES)!, r.int(0, 1) ? '' : 'cu_ghost1')
  }
}

describe('a whole plan against a table someone else changed', () => {
  it('leaves it as a fresh install of the same rules would, and then changes nothing', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = seededRandom(seed)
      const rules = Array.from({ length: r.int(1, 20) }, (_, i) =>
        randomRule(
          r,
          `s${i}`,
          i % 6 === 5 ? `10.9.${i}.0/29` : i % 4 === 3 ? `fd00:9::${i + 1}` : `10.8.0.${i + 1}`,
        ),
      )
      const fresh = planChanges(rules, emptyTable(), reading, new Map())
      const installed = listed(afterChanges(emptyTable(), fresh.changes))
      const want = shape(installed)
      const changed = seed % 10 !== 0
      if (changed) drift(r, installed)

      const plan = planChanges(rules, installed, reading, fresh.caps, true)
      if (!changed) expect(plan.changes, `seed ${seed}`).toEqual([])
      const repaired = listed(afterChanges(installed, plan.changes))
      expect(shape(repaired), `seed ${seed}`).toEqual(want)
      expect(planChanges(rules, repaired, reading, plan.caps, true).changes, `seed ${seed}`).toEqual([])
    }
  })
})
