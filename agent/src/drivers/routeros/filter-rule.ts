/**
 * The firewall rules that make `capd-blocked` bite: in chain `forward`, drop what comes from and
 * what goes to a listed address, placed above the first rule that lets established traffic through
 * without looking further — a FastTrack rule, an accept of `connection-state=established|related`,
 * or a jump into a chain holding one. Below such a rule, a blocked subscriber's open connections
 * (and, with FastTrack, even its queue) would carry on. Only rules commented `capd:…` are changed.
 */
import type { RouterOsRow } from './api/index.js'
import { BLOCK_LIST } from './names.js'
import type { Change } from './plan.js'

export type FilterMenu = '/ip/firewall/filter' | '/ipv6/firewall/filter'

export interface FilterRow {
  id: string
  chain: string
  action: string
  connectionState: string | undefined
  srcAddressList: string | undefined
  dstAddressList: string | undefined
  jumpTarget: string | undefined
  comment: string | undefined
  disabled: boolean
}

export const FILTER_PROPS = [
  '.id',
  'chain',
  'action',
  'connection-state',
  'src-address-list',
  'dst-address-list',
  'jump-target',
  'comment',
  'disabled',
]

export function toFilterRow(row: RouterOsRow): FilterRow {
  return {
    id: row['.id'] ?? '',
    chain: row.chain ?? '',
    action: row.action ?? 'accept',
    connectionState: row['connection-state'],
    srcAddressList: row['src-address-list'],
    dstAddressList: row['dst-address-list'],
    jumpTarget: row['jump-target'],
    comment: row.comment,
    disabled: row.disabled === 'true' || row.disabled === 'yes',
  }
}

const DIRECTIONS = [
  { key: 'src-address-list', field: 'srcAddressList', comment: 'capd:drop-blocked-src' },
  { key: 'dst-address-list', field: 'dstAddressList', comment: 'capd:drop-blocked-dst' },
] as const

export interface FilterPlan {
  /** To run one after another, in order (each `place-before` counts on the ones before it). */
  changes: Change[]
  /** Rules capd wants but leaves alone (`manageFilterRule: false`) or facts the operator should know. */
  warnings: string[]
}

/** Lets established traffic skip the rules below it: FastTrack, an accept of established/related. */
function skipsOn(row: FilterRow): boolean {
  if (row.action === 'fasttrack-connection') return true
  return row.action === 'accept' && /\b(established|related)\b/.test(row.connectionState ?? '')
}

export function planFilterRules(rows: readonly FilterRow[], menu: FilterMenu, manage: boolean): FilterPlan {
  const plan: FilterPlan = { changes: [], warnings: [] }
  const byChain = new Map<string, FilterRow[]>()
  for (const row of rows) byChain.set(row.chain, [...(byChain.get(row.chain) ?? []), row])
  const bypassing = new Map<string, boolean>()
  const chainBypasses = (chain: string): boolean => {
    if (!bypassing.has(chain)) {
      bypassing.set(chain, false) // a jump loop ends here
      bypassing.set(chain, (byChain.get(chain) ?? []).some(bypasses))
    }
    return bypassing.get(chain)!
  }
  const bypasses = (row: FilterRow): boolean =>
    skipsOn(row) || (row.action === 'jump' && row.jumpTarget !== undefined && chainBypasses(row.jumpTarget))

  const forward = byChain.get('forward') ?? []
  const firstBypass = forward.findIndex(bypasses)
  const above = (row: FilterRow) => firstBypass < 0 || forward.indexOf(row) < firstBypass
  const anchor = forward[firstBypass] ?? forward.find((row) => !isOurs(row))

  for (const fasttrack of rows.filter((row) => row.action === 'fasttrack-connection' && !row.disabled)) {
    plan.warnings.push(
      `${menu} rule ${fasttrack.id} (chain ${fasttrack.chain}) FastTracks connections: FastTracked packets ` +
        'skip simple queues, so capd counts (and throttles) only part of the traffic — disable FastTrack',
    )
  }

  for (const direction of DIRECTIONS) {
    const [ours, ...extra] = rows.filter((row) => row.comment === direction.comment)
    const operators = forward.find(
      (row) =>
        !row.disabled &&
        !isOurs(row) &&
        (row.action === 'drop' || row.action === 'reject') &&
        row[direction.field] === BLOCK_LIST &&
        above(row),
    )
    const what = `${menu} ${direction.comment}`
    if (!manage) {
      const good =
        operators ?? (ours && !ours.disabled && ours.chain === 'forward' && above(ours) ? ours : undefined)
      if (!good) {
        plan.warnings.push(
          `${what}: no enabled rule in chain forward drops ${direction.key}=${BLOCK_LIST} above the first ` +
            'FastTrack / established accept rule; blocked subscribers are not blocked (manageFilterRule is off)',
        )
      }
      continue
    }
    for (const row of extra) {
      plan.changes.push({
        phase: 'remove',
        command: `${menu}/remove`,
        args: { '.id': row.id },
        what: `${what}: remove duplicate`,
      })
    }
    if (!ours) {
      if (operators) continue
      const args: Record<string, string> = {
        chain: 'forward',
        action: 'drop',
        [direction.key]: BLOCK_LIST,
        comment: direction.comment,
      }
      if (anchor) args['place-before'] = anchor.id
      plan.changes.push({ phase: 'add', command: `${menu}/add`, args, what: `${what}: add` })
      continue
    }
    const fix: Record<string, string> = {}
    if (ours.chain !== 'forward') fix.chain = 'forward'
    if (ours.action !== 'drop') fix.action = 'drop'
    if (ours[direction.field] !== BLOCK_LIST) fix[direction.key] = BLOCK_LIST
    if (ours.disabled) fix.disabled = 'no'
    if (Object.keys(fix).length > 0) {
      plan.changes.push({
        phase: 'set',
        command: `${menu}/set`,
        args: { '.id': ours.id, ...fix },
        what: `${what}: repair`,
      })
    }
    if ((ours.chain !== 'forward' || !above(ours)) && anchor && anchor !== ours) {
      plan.changes.push({
        phase: 'set',
        command: `${menu}/move`,
        args: { numbers: ours.id, destination: anchor.id },
        what: `${what}: move above ${anchor.id}`,
      })
    }
  }
  return plan
}

const isOurs = (row: FilterRow) => DIRECTIONS.some((direction) => direction.comment === row.comment)
