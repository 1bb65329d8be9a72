/**
 * Checks a driver's rule set before anything is changed at the router. A bad rule is skipped and
 * said why, never allowed to hold up the others: one subscriber's broken limit must not leave every
 * other subscriber on the router unenforced.
 */
import { addressRefusal, type IpPrefix, type RuleProblem } from '@capd/protocol'
import type { SubscriberRule } from './driver.js'
import { keepFirst } from './overlap.js'
import { cachedPrefix } from './prefix-cache.js'

export interface CheckedRule {
  rule: SubscriberRule
  prefix: IpPrefix
}

export interface CheckedRules {
  /** The rules to apply, in the order given. */
  checked: CheckedRule[]
  /**
   * Valid rules with no address and a login, in the order given, for a driver that learns a
   * subscriber's current addresses from its sessions (`learnsAddresses`); else they are skipped.
   */
  byLogin: SubscriberRule[]
  /** The rules skipped, each with why. */
  skipped: RuleProblem[]
}

export interface CheckOptions {
  /** The driver finds a subscriber's addresses by its login (PPPoE and hotspot sessions). */
  learnsAddresses?: boolean
}

const STATES = new Set(['open', 'blocked', 'throttled'])
const DIRECTIONS = new Set(['both', 'down', 'up'])

/** Longest message kept (the wire allows 500 characters). */
const MAX_MESSAGE = 480

/** What checkRules made of one rule: skipped (why), left for its sessions (`login`), or its prefix. */
type Verdict = RuleProblem | 'login' | IpPrefix

/**
 * The last call for each `checkId` (each driver) and its answer: a pushed limit among 10k
 * subscribers checks the same rules again with a few changed (~10 ms at 10k afresh; ~1 to compare).
 */
interface LastCheck {
  rules: readonly SubscriberRule[]
  learnsAddresses: boolean
  verdicts: Verdict[]
  /** Index of each kept rule, in `checked` order. */
  keptAt: number[]
  skipped: RuleProblem[]
}
const lastChecks = new WeakMap<(id: string) => void, LastCheck>()

/**
 * Every rule valid, each subscriber once, no two prefixes overlapping: of two that overlap, the one
 * listed first stays (the agent lists subscribers in the order it came to hold them). `checkId` adds
 * the driver's own limits on ids (what its object names can hold) and throws to refuse one; the
 * answer for a list of the same subscribers with the same addresses, in the same order, as the last
 * call with the same `checkId` is worked out from that call's.
 */
export function checkRules(
  rules: readonly SubscriberRule[],
  checkId: (id: string) => void,
  { learnsAddresses = false }: CheckOptions = {},
): CheckedRules {
  const last = lastChecks.get(checkId)
  const verdicts = last && sameSubscribers(last, rules, learnsAddresses)
  if (last && verdicts) {
    lastChecks.set(checkId, { ...last, rules, verdicts })
    return {
      checked: last.keptAt.map((i) => ({ rule: rules[i]!, prefix: verdicts[i] as IpPrefix })),
      byLogin: rules.filter((_, i) => verdicts[i] === 'login'),
      skipped: [...last.skipped],
    }
  }
  const { result, ...fresh } = checkAfresh(rules, checkId, learnsAddresses)
  lastChecks.set(checkId, { rules, learnsAddresses, ...fresh })
  return result
}

/**
 * Each rule's verdict when `rules` hold the last call's subscribers with the same addresses and
 * logins in the same order and every verdict is as it was (so are the overlaps, then); else undefined.
 */
function sameSubscribers(
  last: LastCheck,
  rules: readonly SubscriberRule[],
  learnsAddresses: boolean,
): Verdict[] | undefined {
  if (last.learnsAddresses !== learnsAddresses || last.rules.length !== rules.length) return undefined
  const verdicts = new Array<Verdict>(rules.length)
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!
    const before = last.rules[i]!
    const was = last.verdicts[i]!
    if (rule === before) {
      verdicts[i] = was
      continue
    }
    if (rule.subscriberId !== before.subscriberId) return undefined
    if (rule.address !== before.address || rule.login !== before.login) return undefined
    // The same id passed checkId (and was met once only) last time; the same address gave `was`.
    const duplicate = isProblem(was) && was.message === `subscriber ${rule.subscriberId} ${TWICE}`
    if (duplicate) {
      verdicts[i] = was
      continue
    }
    const invalid = ruleProblem(rule)
    if (invalid) {
      const now = invalidRule(rule.subscriberId, invalid)
      if (!(isProblem(was) && was.message === now.message)) return undefined
      verdicts[i] = was
      continue
    }
    // Valid now: the rest of its verdict goes by its id and address alone, as last time, unless it was invalid then.
    if (isProblem(was) && was.code === 'invalid_rule') return undefined
    verdicts[i] = was
  }
  return verdicts
}

const TWICE = 'appears twice; the first rule is applied'

function isProblem(verdict: Verdict): verdict is RuleProblem {
  return typeof verdict === 'object' && 'code' in verdict
}

function invalidRule(subscriberId: string, why: string): RuleProblem {
  return problem(subscriberId, 'invalid_rule', `subscriber ${subscriberId}: ${why}`)
}

function problem(subscriberId: string, code: string, message: string): RuleProblem {
  return { subscriberId, code, message: message.slice(0, MAX_MESSAGE) }
}

function checkAfresh(
  rules: readonly SubscriberRule[],
  checkId: (id: string) => void,
  learnsAddresses: boolean,
): { result: CheckedRules; verdicts: Verdict[]; keptAt: number[]; skipped: RuleProblem[] } {
  const seen = new Set<string>()
  const verdicts: Verdict[] = []
  const valid: Array<CheckedRule & { subscriberId: string; at: number }> = []
  for (const [at, rule] of rules.entries()) {
    const verdict = verdictOf(rule, seen, checkId, learnsAddresses)
    verdicts.push(verdict)
    if (typeof verdict === 'object' && !isProblem(verdict)) {
      valid.push({ subscriberId: rule.subscriberId, rule, prefix: verdict, at })
    }
  }
  const skipped = verdicts.filter(isProblem)
  const { kept, dropped } = keepFirst(valid)
  for (const { item, keptOne } of dropped) {
    const message = `subscriber ${item.subscriberId} (${item.prefix.text}) overlaps subscriber ${keptOne.subscriberId} (${keptOne.prefix.text}), which keeps it`
    skipped.push(problem(item.subscriberId, 'address_overlap', message))
  }
  return {
    result: {
      checked: kept.map(({ rule, prefix }) => ({ rule, prefix })),
      byLogin: rules.filter((_, i) => verdicts[i] === 'login'),
      skipped: [...skipped],
    },
    verdicts,
    keptAt: kept.map(({ at }) => at),
    skipped,
  }
}

function verdictOf(
  rule: SubscriberRule,
  seen: Set<string>,
  checkId: (id: string) => void,
  learnsAddresses: boolean,
): Verdict {
  const id = rule.subscriberId
  if (seen.has(id)) return problem(id, 'invalid_rule', `subscriber ${id} ${TWICE}`)
  seen.add(id)
  try {
    checkId(id)
  } catch (error) {
    return invalidRule(id, (error as Error).message)
  }
  const invalid = ruleProblem(rule)
  if (invalid) return invalidRule(id, invalid)
  if (rule.address === undefined) {
    if (learnsAddresses && rule.login) return 'login'
    return problem(id, 'no_address', `subscriber ${id}: ${noAddress(rule, learnsAddresses)}`)
  }
  let prefix: IpPrefix
  try {
    prefix = cachedPrefix(rule.address)
  } catch (error) {
    return problem(id, 'invalid_address', `subscriber ${id}: ${(error as Error).message}`)
  }
  const refusal = refusalOf(prefix)
  return refusal ? problem(id, 'invalid_address', `subscriber ${id}: ${refusal}`) : prefix
}

/** addressRefusal, once per prefix object (shared by prefix-cache.ts): a push checks every rule again. */
const refusals = new WeakMap<IpPrefix, string | undefined>()

function refusalOf(prefix: IpPrefix): string | undefined {
  if (refusals.has(prefix)) return refusals.get(prefix)
  const refusal = addressRefusal(prefix)
  refusals.set(prefix, refusal)
  return refusal
}

function noAddress(rule: SubscriberRule, learnsAddresses: boolean): string {
  if (learnsAddresses) return 'has neither an address nor a login'
  return rule.login
    ? `has no address, and this router kind cannot learn one from the login "${rule.login}"; give the subscriber an address, or count it by RouterOS sessions, RADIUS accounting or an nftables router's "sessions" source`
    : 'has no address'
}

/** What is wrong with the rule apart from its id and address, or undefined. */
function ruleProblem(rule: SubscriberRule): string | undefined {
  if (!STATES.has(rule.state)) return `unknown state "${String(rule.state)}"`
  const kbps = rule.throttleKbps
  if (rule.state === 'throttled' && !(kbps !== undefined && Number.isFinite(kbps) && kbps >= 1)) {
    return 'throttled without a throttleKbps of at least 1'
  }
  const upKbps = rule.throttleUpKbps
  if (upKbps !== undefined && !(Number.isFinite(upKbps) && upKbps >= 1)) {
    return 'throttleUpKbps must be at least 1 when given'
  }
  if (rule.count !== undefined && !DIRECTIONS.has(rule.count)) return `unknown count "${String(rule.count)}"`
  if (rule.remainingBytes !== undefined && typeof rule.remainingBytes !== 'bigint') {
    return 'remainingBytes must be a bigint'
  }
  return undefined
}
