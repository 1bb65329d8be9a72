/** The diff between the rules the agent wants and the router as listed: the API calls that make them match. */
import type { IpPrefix, RuleProblem } from '@capd/protocol'
import type { SubscriberRule } from '../driver.js'
import { type CheckedRules, checkRules } from '../rules.js'
import type { Listing, QueueRow } from './listing.js'
import {
  type AdoptedFrom,
  adoptedComment,
  checkSubscriberId,
  type Owner,
  ownName,
  parseOwner,
  sessionComment,
} from './names.js'
import { planEntries } from './plan-entries.js'
import { sessionWants } from './session-wants.js'
import { canonicalTarget, formatRate, parseRate, sameRate, type UpDown } from './values.js'

/**
 * One API call. Phases run in order — every removal, then every set, then every add — so an address
 * handed from one subscriber to another is freed before it is taken; calls within a phase run concurrently.
 */
export interface Change {
  phase: Phase
  command: string
  args: Record<string, string>
  /** Whose object and what happens to it, for error messages: `capd:alice: add queue`. */
  what: string
  /** The subscriber whose counting queue this call starts from zero (a new or adopted queue). */
  zeroes?: string
}

export type Phase = 'remove' | 'set' | 'add'
export const PHASES: readonly Phase[] = ['remove', 'set', 'add']

export interface PlanOptions {
  /** Take over an operator's queue with the subscriber's target instead of adding a second one. */
  adoptExistingQueues: boolean
}

export interface Plan {
  changes: Change[]
  /** Subscribers whose rule cannot be applied as things stand; the rest of the plan still is. */
  problems: string[]
  /** Worth an operator's attention, changes nothing. */
  warnings: string[]
  /** Rules left out (each with why); their queues and list entries are let go like a departed subscriber's. */
  skipped: RuleProblem[]
}

const ZERO: UpDown = { up: 0n, down: 0n }

/** What capd wants at the router for one subscriber. */
export interface Want {
  rule: SubscriberRule
  /** Its address or prefix, or the addresses of its sessions (a subscriber known by login). */
  prefixes: IpPrefix[]
  /**
   * It has a simple queue: always for a subscriber with an address (the queue counts it); for one
   * known by login only while throttled (its sessions count it).
   */
  queue: boolean
  /**
   * Block entries lapse after this long unless renewed (a session's address: if the agent stops,
   * an address the pool hands to the next customer is not blocked for long). Absent: permanent.
   */
  entryTimeoutMs?: number
}

interface Owned {
  row: QueueRow
  owner: Owner
}

export function planChanges(rules: readonly SubscriberRule[], listing: Listing, options: PlanOptions): Plan {
  const { checked, byLogin, skipped } = validate(rules)
  const plan: Plan = { changes: [], problems: [], warnings: [], skipped }
  const wanted: Want[] = checked.map(({ rule, prefix }) => ({ rule, prefixes: [prefix], queue: true }))
  wanted.push(...sessionWants(byLogin, checked, listing, plan))
  const owned = new Map<string, Owned[]>()
  const foreign: QueueRow[] = []
  for (const row of listing.queues) {
    const owner = parseOwner(row.comment)
    if (owner) owned.set(owner.subscriberId, [...(owned.get(owner.subscriberId) ?? []), { row, owner }])
    else foreign.push(row)
  }
  const others: Others = { byTarget: new Map(), byName: new Map(), taken: new Set() }
  for (const row of foreign) {
    const target = canonicalTarget(row.target)
    others.byTarget.set(target, [...(others.byTarget.get(target) ?? []), row])
    others.byName.set(row.name, row)
  }
  const queued = wanted.filter((want) => want.queue)
  for (const want of queued) planQueue(plan, want, owned.get(want.rule.subscriberId), others, options)
  const queuedIds = new Set(queued.map(({ rule }) => rule.subscriberId))
  for (const [subscriberId, rows] of owned) {
    if (!queuedIds.has(subscriberId)) for (const queue of rows) letGo(plan, queue)
  }
  planEntries(plan, wanted, listing)
  return plan
}

/**
 * The subscriber's `max-limit`: throttled to the plan's rates (download `throttleKbps`, upload
 * `throttleUpKbps` or the same), each never above an adopted queue's own; else the base.
 */
export function wantedRate(rule: SubscriberRule, base: UpDown): UpDown {
  if (rule.state !== 'throttled') return base
  const bits = (kbps: number) => BigInt(Math.round(kbps * 1000))
  const lower = (own: bigint, cap: bigint) => (own > 0n && own < cap ? own : cap)
  return {
    up: lower(base.up, bits(rule.throttleUpKbps ?? rule.throttleKbps!)),
    down: lower(base.down, bits(rule.throttleKbps!)),
  }
}

/** The queues capd does not own, indexed once per plan (a linear scan per subscriber would be quadratic). */
interface Others {
  byTarget: Map<string, QueueRow[]>
  byName: Map<string, QueueRow>
  /** Adopted earlier in this plan. */
  taken: Set<string>
}

function planQueue(
  plan: Plan,
  { rule, prefixes }: Want,
  mine: readonly Owned[] | undefined,
  { byTarget, byName, taken }: Others,
  { adoptExistingQueues: adopt }: PlanOptions,
): void {
  const name = ownName(rule.subscriberId)
  const target = prefixes.map((prefix) => `${prefix.address}/${prefix.prefixLength}`).join(',')
  // A session's queue lives as long as its throttle and counts nothing (its comment says so); an
  // operator's queue is never taken for one. Neither kind of queue is kept as the other: a counting
  // queue's bytes are the subscriber's usage, a session queue's were counted on the session.
  const bySession = rule.address === undefined
  const adoptExistingQueues = adopt && !bySession
  const fitting = (mine ?? []).filter(({ owner }) => Boolean(owner.session) === bySession)
  for (const queue of mine ?? []) if (!fitting.includes(queue)) letGo(plan, queue)
  const [keep, ...extra] = fitting
  for (const queue of extra) letGo(plan, queue)
  const sameTarget = (byTarget.get(target) ?? []).filter((queue) => !taken.has(queue.id))

  if (keep) {
    const from = keep.owner.adopted
    const base = (typeof from === 'object' && parseRate(from.maxLimit)) || ZERO
    const args = queueDiff(keep.row, name, target, wantedRate(rule, base))
    if (args) plan.changes.push(set('/queue/simple/set', keep.row.id, args, `${name}: update queue`))
    warnShadows(plan, name, sameTarget)
    return
  }

  const clash = byName.get(name)
  let candidate = adoptExistingQueues ? (clash ?? sameTarget.find((queue) => !queue.dynamic)) : undefined
  if (clash && (!adoptExistingQueues || clash.dynamic)) {
    plan.problems.push(
      `${name}: a queue of that name (${clash.id}) exists without the comment ${name}; capd leaves it alone ` +
        `— remove or rename it${clash.dynamic ? '' : ', or set adoptExistingQueues'}`,
    )
    return
  }
  if (candidate && taken.has(candidate.id)) candidate = undefined
  if (candidate) {
    taken.add(candidate.id)
    const from: AdoptedFrom = {
      name: candidate.name,
      maxLimit: candidate.maxLimit,
      ...(candidate.comment === undefined ? {} : { comment: candidate.comment }),
    }
    const base = parseRate(candidate.maxLimit) ?? ZERO
    const args = queueDiff(candidate, name, target, wantedRate(rule, base)) ?? {}
    args.comment = adoptedComment(rule.subscriberId, from)
    plan.changes.push(set('/queue/simple/set', candidate.id, args, `${name}: adopt queue ${candidate.name}`))
    // Its bytes so far are not this subscriber's usage since capd started counting: start from zero, as
    // a queue capd adds does. In the last phase, so a failed adoption is unlikely to reset anything.
    plan.changes.push({
      phase: 'add',
      command: '/queue/simple/reset-counters',
      args: { '.id': candidate.id },
      what: `${name}: reset the adopted queue's counters`,
      zeroes: rule.subscriberId,
    })
    warnShadows(
      plan,
      name,
      sameTarget.filter((queue) => queue !== candidate),
    )
    return
  }
  plan.changes.push({
    phase: 'add',
    command: '/queue/simple/add',
    args: {
      name,
      target,
      'max-limit': formatRate(wantedRate(rule, ZERO)),
      comment: bySession ? sessionComment(rule.subscriberId) : name,
    },
    what: `${name}: add queue`,
    ...(bySession ? {} : { zeroes: rule.subscriberId }),
  })
  warnShadows(plan, name, sameTarget)
}

/** The properties of an owned queue that differ from what capd wants, or undefined when none do. */
function queueDiff(
  row: QueueRow,
  name: string,
  target: string,
  rate: UpDown,
): Record<string, string> | undefined {
  const args: Record<string, string> = {}
  if (row.name !== name) args.name = name
  // RouterOS prints both in the form capd writes them: compare the text first, parse only when it differs.
  if (row.target !== target && canonicalTarget(row.target) !== target) args.target = target
  const wantRate = formatRate(rate)
  const have = row.maxLimit === wantRate ? rate : parseRate(row.maxLimit)
  if (!have || !sameRate(have, rate)) args['max-limit'] = wantRate
  // A disabled queue counts nothing.
  if (row.disabled) args.disabled = 'no'
  return Object.keys(args).length > 0 ? args : undefined
}

function warnShadows(plan: Plan, name: string, others: readonly QueueRow[]): void {
  for (const other of others) {
    plan.warnings.push(
      `${name}: queue "${other.name}" (${other.id}${other.dynamic ? ', dynamic' : ''}) has the same target; ` +
        'only the first of the two in the queue list sees the traffic, so capd may count nothing',
    )
  }
}

/** A queue capd no longer wants: removed if capd made it, handed back as it was if capd adopted it. */
function letGo(plan: Plan, { row, owner }: Owned): void {
  const name = ownName(owner.subscriberId)
  const from = owner.adopted
  if (!from) {
    plan.changes.push({
      phase: 'remove',
      command: '/queue/simple/remove',
      args: { '.id': row.id },
      what: `${name}: remove queue`,
    })
    return
  }
  if (from === 'unknown') {
    plan.warnings.push(
      `${name}: adopted queue ${row.id} has an unreadable comment; handed back with its current name`,
    )
    plan.changes.push(set('/queue/simple/set', row.id, { comment: '' }, `${name}: hand back queue`))
    return
  }
  const args = { name: from.name, 'max-limit': from.maxLimit, comment: from.comment ?? '' }
  plan.changes.push(set('/queue/simple/set', row.id, args, `${name}: hand back queue to "${from.name}"`))
}

export function set(command: string, id: string, args: Record<string, string>, what: string): Change {
  return { phase: 'set', command, args: { '.id': id, ...args }, what }
}

/** Checks every rule before anything is changed: a bad one is left out, the others still applied. */
function validate(rules: readonly SubscriberRule[]): CheckedRules {
  return checkRules(rules, checkId, { learnsAddresses: true })
}

/** One function, so checkRules knows a call from this driver (see its memory of the last call). */
function checkId(id: string): void {
  checkSubscriberId(id)
}
