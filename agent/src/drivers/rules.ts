/** Checks a driver's rule set before anything is changed at the router, so a bad set changes nothing. */
import type { IpPrefix } from '@capd/protocol'
import type { SubscriberRule } from './driver.js'
import { findOverlap } from './overlap.js'
import { cachedPrefix } from './prefix-cache.js'

export interface CheckedRule {
  rule: SubscriberRule
  prefix: IpPrefix
}

const STATES = new Set(['open', 'blocked', 'throttled'])

/**
 * Every rule valid, each subscriber once, no two prefixes overlapping. `checkId` adds the driver's
 * own limits on ids (what its object names can hold).
 */
export function checkRules(rules: readonly SubscriberRule[], checkId: (id: string) => void): CheckedRule[] {
  const seen = new Set<string>()
  const result = rules.map((rule) => {
    checkId(rule.subscriberId)
    if (seen.has(rule.subscriberId)) throw new RangeError(`subscriber ${rule.subscriberId} appears twice`)
    seen.add(rule.subscriberId)
    if (!STATES.has(rule.state)) throw new RangeError(`subscriber ${rule.subscriberId}: unknown state`)
    const kbps = rule.throttleKbps
    if (rule.state === 'throttled' && !(kbps !== undefined && Number.isFinite(kbps) && kbps >= 1)) {
      throw new RangeError(
        `subscriber ${rule.subscriberId} is throttled without a throttleKbps of at least 1`,
      )
    }
    if (rule.remainingBytes !== undefined && typeof rule.remainingBytes !== 'bigint') {
      throw new TypeError(`subscriber ${rule.subscriberId}: remainingBytes must be a bigint`)
    }
    try {
      return { rule, prefix: cachedPrefix(rule.address) }
    } catch (error) {
      throw new RangeError(`subscriber ${rule.subscriberId}: ${(error as Error).message}`)
    }
  })
  const overlap = findOverlap(result.map(({ rule, prefix }) => ({ subscriberId: rule.subscriberId, prefix })))
  if (overlap) {
    const [a, b] = overlap
    throw new RangeError(
      `subscribers ${a.subscriberId} (${a.prefix.text}) and ${b.subscriberId} (${b.prefix.text}) overlap`,
    )
  }
  return result
}
