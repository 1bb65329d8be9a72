/** The fixed shape of the capd table: its sets, maps and chain, the rules tying them together, and object names. */

export type Family = 4 | 6
export type ObjectKind = 'counter' | 'quota' | 'limit'

/** Base chain name (`fwd` would be an nft keyword). */
export const CHAIN = 'forward'
/**
 * After conntrack (-200) and mangle (-150), before the usual filter chains (0): blocked and over-quota
 * packets die here before the operator's own filter spends work on them, and every forwarded packet
 * is seen whatever another base chain accepts (an accept elsewhere never skips this chain).
 */
export const CHAIN_PRIORITY = -10

/** The per-family sets and maps; a map's value is the named object a packet is charged to. */
export function setNames(family: Family) {
  return {
    block: `block${family}`,
    limitDown: `ld${family}`,
    limitUp: `lu${family}`,
    /** A subscriber counted both ways is in both quota maps, pointing at its one quota object. */
    quotaDown: `qd${family}`,
    quotaUp: `qu${family}`,
    countDown: `cd${family}`,
    countUp: `cu${family}`,
  }
}

export interface SetSpec {
  name: string
  family: Family
  /** Object type the map points to; undefined for a plain set. */
  objects?: ObjectKind
}

export const SETS: readonly SetSpec[] = ([4, 6] as const).flatMap((family) => {
  const n = setNames(family)
  return [
    { name: n.block, family },
    { name: n.limitDown, family, objects: 'limit' as const },
    { name: n.limitUp, family, objects: 'limit' as const },
    { name: n.quotaDown, family, objects: 'quota' as const },
    { name: n.quotaUp, family, objects: 'quota' as const },
    { name: n.countDown, family, objects: 'counter' as const },
    { name: n.countUp, family, objects: 'counter' as const },
  ]
})

export interface RuleSpec {
  /** Also the rule's nft comment: start() recognises its own rules by these. */
  comment: string
  text: string
}

/** Maps of earlier layouts that `start()` removes once the rules no longer use them. */
export const RETIRED_MAPS: readonly string[] = ['q4', 'q6']

/**
 * Order matters: block, then throttle, then quota, then count, so packets dropped by an earlier rule
 * never count as usage. The quota is consumed only by the directions whose map holds the subscriber
 * (download: daddr, upload: saddr), so a subscriber counted one way spends it that way only.
 * The version in the comments changes with the layout: v1 had one quota map matched both ways.
 */
export const RULES: readonly RuleSpec[] = (() => {
  const rules: RuleSpec[] = []
  const both = (tag: string, make: (sel: string, dir: 'daddr' | 'saddr', family: Family) => string) => {
    for (const family of [4, 6] as const) {
      for (const dir of ['daddr', 'saddr'] as const) {
        const text = make(family === 4 ? 'ip' : 'ip6', dir, family)
        rules.push({ comment: `capd:v2:${tag}-${dir === 'daddr' ? 'down' : 'up'}${family}`, text })
      }
    }
  }
  both('block', (sel, dir, f) => `${sel} ${dir} @${setNames(f).block} drop`)
  both('limit', (sel, dir, f) => {
    const n = setNames(f)
    return `limit name ${sel} ${dir} map @${dir === 'daddr' ? n.limitDown : n.limitUp} drop`
  })
  both('quota', (sel, dir, f) => {
    const n = setNames(f)
    return `quota name ${sel} ${dir} map @${dir === 'daddr' ? n.quotaDown : n.quotaUp} drop`
  })
  both('count', (sel, dir, f) => {
    const n = setNames(f)
    return `counter name ${sel} ${dir} map @${dir === 'daddr' ? n.countDown : n.countUp}`
  })
  return rules
})()

const SUBSCRIBER_ID = /^[A-Za-z0-9_-]{1,64}$/

/** A subscriber's object names. */
export interface ObjectNames {
  readonly countDown: string
  readonly countUp: string
  readonly quota: string
  readonly limitDown: string
  readonly limitUp: string
}

/**
 * Names made before, by id: a plan looks each subscriber's names up in maps of the listing, and a
 * name made afresh each time is hashed afresh each time (10k subscribers: ~10 ms a plan).
 * Cleared past NAMES_KEPT ids, so ids long gone do not pile up.
 */
const namesMade = new Map<string, ObjectNames>()
const NAMES_KEPT = 262_144

/**
 * nft object names per subscriber: a fixed letter prefix + the id unchanged. nft identifiers may hold
 * `_` and `-` after a leading letter, so the mapping is reversible without escaping.
 */
export function objectNames(subscriberId: string): ObjectNames {
  const made = namesMade.get(subscriberId)
  if (made) return made
  if (!SUBSCRIBER_ID.test(subscriberId)) {
    throw new RangeError(`subscriber id "${subscriberId}" must match ${SUBSCRIBER_ID}`)
  }
  const names = Object.freeze({
    countDown: `cd_${subscriberId}`,
    countUp: `cu_${subscriberId}`,
    quota: `q_${subscriberId}`,
    limitDown: `ld_${subscriberId}`,
    limitUp: `lu_${subscriberId}`,
  })
  if (namesMade.size >= NAMES_KEPT) namesMade.clear()
  namesMade.set(subscriberId, names)
  return names
}

export type ObjectRole = keyof ObjectNames

const ROLE_OF_PREFIX: Record<string, { kind: ObjectKind; role: ObjectRole }> = {
  cd: { kind: 'counter', role: 'countDown' },
  cu: { kind: 'counter', role: 'countUp' },
  q: { kind: 'quota', role: 'quota' },
  ld: { kind: 'limit', role: 'limitDown' },
  lu: { kind: 'limit', role: 'limitUp' },
}

/** The kind of each of a subscriber's objects, from the same table as the names' prefixes. */
export const OBJECT_KIND = Object.fromEntries(
  Object.values(ROLE_OF_PREFIX).map(({ kind, role }) => [role, kind]),
) as Readonly<Record<ObjectRole, ObjectKind>>

/** The subscriber and role behind an object name of ours; undefined for anything else. */
export function parseObjectName(
  kind: ObjectKind,
  name: string,
): { subscriberId: string; role: ObjectRole } | undefined {
  const match = /^([a-z]+)_(.+)$/.exec(name)
  const owner = match && ROLE_OF_PREFIX[match[1]!]
  if (!owner || owner.kind !== kind || !SUBSCRIBER_ID.test(match[2]!)) return undefined
  return { subscriberId: match[2]!, role: owner.role }
}
