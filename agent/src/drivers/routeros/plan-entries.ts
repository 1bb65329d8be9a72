/**
 * The `capd-blocked` entries a plan wants: one per address or prefix of each blocked subscriber (a
 * subscriber known by login has one per open session), none for anyone else. An entry whose
 * address is no longer wanted is moved to a wanted one of its family (a re-login on a new address
 * is one `set`), else removed.
 */
import type { IpPrefix } from '@capd/protocol'
import { addressListMenu, type EntryRow, type Family, type Listing } from './listing.js'
import { BLOCK_LIST, ownName, parseOwner } from './names.js'
import { type Plan, set, type Want } from './plan.js'
import { canonicalAddress } from './values.js'

interface OurEntry {
  row: EntryRow
  family: Family
}

export function planEntries(plan: Plan, wanted: readonly Want[], listing: Listing): void {
  const lists: Array<[Family, EntryRow[] | undefined]> = [
    [4, listing.blocked4],
    [6, listing.blocked6],
  ]
  const ours = new Map<string, OurEntry[]>()
  const othersAt = new Map<Family, Set<string | undefined>>()
  for (const [family, rows] of lists) {
    othersAt.set(family, new Set())
    for (const row of rows ?? []) {
      const owner = parseOwner(row.comment)
      if (owner && !owner.adopted) {
        ours.set(owner.subscriberId, [...(ours.get(owner.subscriberId) ?? []), { row, family }])
      } else {
        othersAt.get(family)!.add(canonicalAddress(row.address))
      }
    }
  }
  const remove = (name: string, { row, family }: OurEntry) =>
    plan.changes.push({
      phase: 'remove',
      command: `${addressListMenu(family)}/remove`,
      args: { '.id': row.id },
      what: `${name}: remove ${BLOCK_LIST} entry ${row.address}`,
    })

  for (const { rule, prefixes, entryTimeoutMs } of wanted) {
    const name = ownName(rule.subscriberId)
    const entries = ours.get(rule.subscriberId) ?? []
    ours.delete(rule.subscriberId)
    if (rule.state !== 'blocked') {
      for (const entry of entries) remove(name, entry)
      continue
    }
    const missing: IpPrefix[] = []
    const unused = new Set(entries)
    for (const prefix of prefixes) {
      const at = [...unused].find(
        (entry) =>
          entry.family === prefix.family &&
          (entry.row.address === prefix.text || canonicalAddress(entry.row.address) === prefix.text),
      )
      if (!at) {
        missing.push(prefix)
        continue
      }
      // A lapsing entry cannot be made permanent in place: a subscriber with an address gets a new one.
      unused.delete(at)
      if (at.row.timeoutMs !== undefined && entryTimeoutMs === undefined) {
        remove(name, at)
        missing.push(prefix)
        continue
      }
      const args: Record<string, string> = {}
      if (at.row.disabled) args.disabled = 'no'
      if (entryTimeoutMs !== undefined && (at.row.timeoutMs ?? 0) < entryTimeoutMs / 2) {
        args.timeout = timeoutText(entryTimeoutMs)
      }
      if (Object.keys(args).length > 0) {
        const menu = addressListMenu(at.family)
        plan.changes.push(set(`${menu}/set`, at.row.id, args, `${name}: renew ${BLOCK_LIST} entry`))
      }
    }
    for (const prefix of missing) {
      const family = prefix.family
      if (family === 6 && listing.blocked6 === undefined) {
        plan.problems.push(
          `${name}: cannot block ${prefix.text}: the router has no IPv6 firewall address list`,
        )
        continue
      }
      // The operator's own entry for this address blocks it already (and is theirs to remove).
      if (othersAt.get(family)!.has(prefix.text)) continue
      const menu = addressListMenu(family)
      // A lapsing entry is moved only to another address that lapses too.
      const reuse = [...unused].find(
        (entry) =>
          entry.family === family && (entry.row.timeoutMs === undefined || entryTimeoutMs !== undefined),
      )
      if (reuse) {
        unused.delete(reuse)
        const args: Record<string, string> = { address: prefix.text }
        if (reuse.row.disabled) args.disabled = 'no'
        if (entryTimeoutMs !== undefined) args.timeout = timeoutText(entryTimeoutMs)
        plan.changes.push(set(`${menu}/set`, reuse.row.id, args, `${name}: update ${BLOCK_LIST} entry`))
        continue
      }
      plan.changes.push({
        phase: 'add',
        command: `${menu}/add`,
        args: {
          list: BLOCK_LIST,
          address: prefix.text,
          comment: name,
          ...(entryTimeoutMs === undefined ? {} : { timeout: timeoutText(entryTimeoutMs) }),
        },
        what: `${name}: add ${BLOCK_LIST} entry ${prefix.text}`,
      })
    }
    for (const entry of unused) remove(name, entry)
  }
  for (const [subscriberId, entries] of ours) {
    for (const entry of entries) remove(ownName(subscriberId), entry)
  }
}

/** RouterOS durations: whole seconds. */
const timeoutText = (ms: number) => `${Math.ceil(ms / 1000)}s`
