/** nft script text: the table's structure, and one atomic batch for a list of changes. */
import { CHAIN, CHAIN_PRIORITY, type ObjectKind, RETIRED_MAPS, RULES, SETS } from './layout.js'
import type { InstalledTable } from './nft-json.js'

export type Change =
  | { op: 'delete-element'; set: string; key: string }
  /** Empties a set or map (its elements are then added back as `add-element`s). */
  | { op: 'flush-set'; set: string; map: boolean }
  /** `value` is the object name in a map, '' in a plain set. */
  | { op: 'add-element'; set: string; key: string; value: string }
  | { op: 'delete-object'; kind: ObjectKind; name: string }
  | { op: 'add-counter'; name: string; subscriberId: string }
  /**
   * On an existing quota this changes only `over`: the kernel keeps what it has consumed, unless
   * `reset` (then consumption starts again from 0, the object and every map element pointing at it stay).
   */
  | { op: 'set-quota'; name: string; subscriberId: string; overBytes: bigint; reset?: boolean }
  | { op: 'add-limit'; name: string; subscriberId: string; bytesPerSecond: number; burstBytes: number }

/** Elements per statement, so one huge first apply stays a readable batch. */
const CHUNK = 1000

/**
 * What is missing from the table's structure, as a script; '' when everything is in place. A table of
 * an earlier layout is upgraded in place: new sets added, the rules rewritten, then the retired sets
 * dropped (their elements go with them; the plan puts each subscriber into the new ones). Counters
 * and quota objects stay, so nothing counted is lost.
 */
export function structureBatch(table: string, installed: InstalledTable | undefined): string {
  const t = `inet ${table}`
  const lines: string[] = []
  if (!installed) lines.push(`add table ${t}`)
  for (const set of SETS) {
    if (installed?.elements.has(set.name)) continue
    const type = set.family === 4 ? 'ipv4_addr' : 'ipv6_addr'
    const what = set.objects
      ? `map ${t} ${set.name} { type ${type} : ${set.objects};`
      : `set ${t} ${set.name} { type ${type};`
    lines.push(`add ${what} flags interval; }`)
  }
  const chain = installed?.chain
  const chainOk = chain?.type === 'filter' && chain.hook === 'forward' && chain.prio === CHAIN_PRIORITY
  const rulesOk =
    chainOk &&
    chain.policy === 'accept' &&
    chain.ruleComments.length === RULES.length &&
    RULES.every((rule, i) => chain.ruleComments[i] === rule.comment)
  if (!rulesOk) {
    if (chain) lines.push(`flush chain ${t} ${CHAIN}`)
    if (chain && !chainOk) lines.push(`delete chain ${t} ${CHAIN}`)
    lines.push(
      `add chain ${t} ${CHAIN} { type filter hook forward priority ${CHAIN_PRIORITY}; policy accept; }`,
      ...RULES.map((rule) => `add rule ${t} ${CHAIN} ${rule.text} comment "${rule.comment}"`),
    )
  }
  for (const name of RETIRED_MAPS) {
    if (installed?.elements.has(name)) lines.push(`delete map ${t} ${name}`)
  }
  return lines.length ? `${lines.join('\n')}\n` : ''
}

/**
 * All changes as one script for `nft -f -` (one transaction). Order: elements out, objects out,
 * objects in, elements in — an object cannot go while an element points at it, nor be pointed at
 * before it exists.
 */
export function changeBatch(table: string, changes: readonly Change[]): string {
  const t = `inet ${table}`
  const comment = (id: string) => `comment "capd subscriber ${id}";`
  const lines: string[] = []
  for (const c of changes) {
    if (c.op === 'flush-set') lines.push(`flush ${c.map ? 'map' : 'set'} ${t} ${c.set}`)
  }
  lines.push(...elementLines('delete', t, changes))
  for (const c of changes) {
    if (c.op === 'delete-object') lines.push(`delete ${c.kind} ${t} ${c.name}`)
  }
  for (const c of changes) {
    if (c.op === 'add-counter') lines.push(`add counter ${t} ${c.name} { ${comment(c.subscriberId)} }`)
    if (c.op === 'set-quota') {
      lines.push(`add quota ${t} ${c.name} { over ${c.overBytes} bytes; ${comment(c.subscriberId)} }`)
      // nft runs a reset beside the batch's transaction (it is no change): a packet in between is
      // dropped by the spent quota or charged to the fresh one, so nothing passes uncounted.
      if (c.reset) lines.push(`reset quota ${t} ${c.name}`)
    }
    if (c.op === 'add-limit') {
      const rate = `rate over ${c.bytesPerSecond} bytes/second burst ${c.burstBytes} bytes;`
      lines.push(`add limit ${t} ${c.name} { ${rate} ${comment(c.subscriberId)} }`)
    }
  }
  lines.push(...elementLines('add', t, changes))
  return lines.length ? `${lines.join('\n')}\n` : ''
}

function elementLines(verb: 'add' | 'delete', t: string, changes: readonly Change[]): string[] {
  const bySet = new Map<string, string[]>()
  for (const c of changes) {
    if (c.op !== 'add-element' && c.op !== 'delete-element') continue
    if (c.op !== `${verb}-element`) continue
    const text = c.op === 'add-element' && c.value ? `${c.key} : "${c.value}"` : c.key
    const list = bySet.get(c.set) ?? []
    list.push(text)
    bySet.set(c.set, list)
  }
  const lines: string[] = []
  for (const [set, items] of bySet) {
    for (let i = 0; i < items.length; i += CHUNK) {
      lines.push(`${verb} element ${t} ${set} { ${items.slice(i, i + CHUNK).join(', ')} }`)
    }
  }
  return lines
}
