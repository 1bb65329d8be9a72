import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import type { CounterReading, SubscriberRule } from '../driver.js'
import { afterChanges } from './model.js'
import type { InstalledTable } from './nft-json.js'
import { planChanges, type QuotaCap } from './plan.js'
import { emptyTable, randomRule } from './testing-tables.js'

const reading: CounterReading = { atMs: 0, bootId: 'b', samples: [] }

/** What a table holds, objects by name and elements by set, values aside (handles differ by path). */
function shape(table: InstalledTable) {
  return {
    counters: [...table.counters.keys()].sort(),
    quotas: Object.fromEntries([...table.quotas].map(([n, q]) => [n, q.overBytes]).sort()),
    limits: Object.fromEntries(
      [...table.limits].map(([n, l]) => [n, `${l.bytesPerSecond}/${l.burstBytes}`]).sort(),
    ),
    elements: Object.fromEntries(
      [...table.elements].map(([n, e]) => [n, Object.fromEntries([...e].sort())] as const).sort(),
    ),
  }
}

describe('a plan of only the pushed subscribers', () => {
  it('leaves the table as a full plan of the same rules would, touching nobody else', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = seededRandom(seed)
      const addresses = Array.from({ length: 40 }, (_, i) =>
        i % 7 === 6 ? `10.9.${i}.0/29` : i % 5 === 4 ? `fd00:9::${i + 1}` : `10.8.0.${i + 1}`,
      )
      const rules = new Map<string, SubscriberRule>()
      for (let i = 0; i < 25; i++) rules.set(`s${i}`, randomRule(r, `s${i}`, addresses[i]!))
      let caps = new Map<string, QuotaCap>()
      const full = planChanges([...rules.values()], emptyTable(), reading, caps)
      let table = afterChanges(emptyTable(), full.changes)
      caps = full.caps
      let free = 25
      for (let step = 0; step < 8; step++) {
        const pushed = new Set<string>()
        for (let n = r.int(1, 3); n > 0; n--) {
          const id = `s${r.int(0, 29)}`
          pushed.add(id)
          const op = r.int(0, 5)
          const had = rules.get(id)
          if (op === 0) rules.delete(id)
          else if (op === 1 && had && free < addresses.length)
            rules.set(id, { ...had, address: addresses[free++]! })
          else rules.set(id, randomRule(r, id, had?.address ?? addresses[free++ % addresses.length]!))
        }
        const list = [...rules.values()]
        const some = planChanges(list, table, reading, caps, false, pushed)
        const whole = planChanges(list, table, reading, caps)
        const touched = (c: (typeof some.changes)[number]) =>
          'subscriberId' in c ? c.subscriberId : 'name' in c ? c.name.replace(/^[a-z]+_/, '') : c.op
        // Only the pushed subscribers' objects are touched (elements are checked through the result).
        for (const c of some.changes) {
          if (c.op === 'add-element' || c.op === 'delete-element' || c.op === 'flush-set') continue
          expect(pushed.has(touched(c)), `seed ${seed} step ${step}: ${JSON.stringify(c, big)}`).toBe(true)
        }
        const afterSome = afterChanges(table, some.changes)
        expect(shape(afterSome), `seed ${seed} step ${step}`).toEqual(
          shape(afterChanges(table, whole.changes)),
        )
        expect(new Map(some.caps), `seed ${seed} step ${step}: caps`).toEqual(whole.caps)
        // Nothing left over for a full plan after the push.
        expect(planChanges(list, afterSome, reading, some.caps).changes, `seed ${seed} step ${step}`).toEqual(
          [],
        )
        table = afterSome
        caps = some.caps
      }
    }
  }, 60_000)
})

function big(_key: string, value: unknown) {
  return typeof value === 'bigint' ? String(value) : value
}
