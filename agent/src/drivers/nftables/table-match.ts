/**
 * Whether the table holds what a plan wants, object kind by kind and set by set, and which objects
 * of ours it holds: the parts of a plan that look at the whole table.
 */
import { OBJECT_KIND, type ObjectKind, type ObjectRole, objectNames, parseObjectName } from './layout.js'
import type { InstalledTable } from './nft-json.js'

export const OBJECT_KINDS = ['counter', 'quota', 'limit'] as const

function objectsOf(installed: InstalledTable, kind: ObjectKind): ReadonlyMap<string, unknown> {
  return kind === 'counter' ? installed.counters : kind === 'quota' ? installed.quotas : installed.limits
}

/**
 * Whether every object of the kind in the table is a wanted one: the wanted names (distinct, one
 * subscriber's each) are all there, and there are no more. A table that matches the rules, as in
 * most polls, then needs no look at each object's name (10k subscribers: 30k names parsed).
 */
export function installedAllWanted(
  installed: InstalledTable,
  kind: ObjectKind,
  wanted: readonly string[],
): boolean {
  const table = objectsOf(installed, kind)
  if (table.size !== wanted.length) return false
  for (const name of wanted) if (!table.has(name)) return false
  return true
}

/** Whether a set holds exactly the wanted elements, each with its wanted value. */
export function sameElements(want: ReadonlyMap<string, string>, have: ReadonlyMap<string, string>): boolean {
  if (want.size !== have.size) return false
  for (const [key, value] of want) if (have.get(key) !== value) return false
  return true
}

/**
 * The objects of ours of one kind in the table: of `only`'s subscribers when given (looked up by
 * name, not by reading every object's name: a push among 10k subscribers), else of every subscriber.
 */
export function* ownedObjects(
  installed: InstalledTable,
  kind: ObjectKind,
  only: ReadonlySet<string> | undefined,
): Generator<string> {
  const table = objectsOf(installed, kind)
  if (only) {
    for (const id of only) {
      for (const [role, name] of Object.entries(objectNames(id))) {
        if (OBJECT_KIND[role as ObjectRole] === kind && table.has(name)) yield name
      }
    }
    return
  }
  for (const name of table.keys()) if (parseObjectName(kind, name)) yield name
}
