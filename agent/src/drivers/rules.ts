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

/**
 * Every rule valid, each subscriber once, no two prefixes overlapping: of two that overlap, the one
 * listed first stays (the agent lists subscribers in the order it came to hold them). `checkId` adds
 * the driver's own limits on ids (what its object names can hold) and throws to refuse one.
 */
export function checkRules(
  rules: readonly SubscriberRule[],
  checkId: (id: string) => void,
  { learnsAddresses = false }: CheckOptions = {},
): CheckedRules {
  const seen = new Set<string>()
  const skipped: RuleProblem[] = []
  const skip = (subscriberId: string, code: string, message: string) =>
    skipped.push({ subscriberId, code, message: message.slice(0, MAX_MESSAGE) })
  const valid: Array<CheckedRule & { subscriberId: string }> = []
  const byLogin: SubscriberRule[] = []
  for (const rule of rules) {
    const id = rule.subscriberId
    if (seen.has(id)) {
      skip(id, 'invalid_rule', `subscriber ${id} appears twice; the first rule is applied`)
      continue
    }
    seen.add(id)
    const invalid = ruleProblem(rule, checkId)
    if (invalid) {
      skip(id, 'invalid_rule', `subscriber ${id}: ${invalid}`)
      continue
    }
    if (rule.address === undefined) {
      if (learnsAddresses && rule.login) byLogin.push(rule)
      else skip(id, 'no_address', `subscriber ${id}: ${noAddress(rule, learnsAddresses)}`)
      continue
    }
    let prefix: IpPrefix
    try {
      prefix = cachedPrefix(rule.address)
    } catch (error) {
      skip(id, 'invalid_address', `subscriber ${id}: ${(error as Error).message}`)
      continue
    }
    const refusal = refusalOf(prefix)
    if (refusal) {
      skip(id, 'invalid_address', `subscriber ${id}: ${refusal}`)
      continue
    }
    valid.push({ subscriberId: id, rule, prefix })
  }
  const { kept, dropped } = keepFirst(valid)
  for (const { item, keptOne } of dropped) {
    skip(
      item.subscriberId,
      'address_overlap',
      `subscriber ${item.subscriberId} (${item.prefix.text}) overlaps subscriber ${keptOne.subscriberId} (${keptOne.prefix.text}), which keeps it`,
    )
  }
  return { checked: kept.map(({ rule, prefix }) => ({ rule, prefix })), byLogin, skipped }
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

/** What is wrong with the rule apart from its address, or undefined. */
function ruleProblem(rule: SubscriberRule, checkId: (id: string) => void): string | undefined {
  try {
    checkId(rule.subscriberId)
  } catch (error) {
    return (error as Error).message
  }
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
