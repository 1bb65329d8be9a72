/**
 * Subscribers known by login: their addresses are those of their open PPP and hotspot sessions,
 * as listed with the rest of the router this plan diffs against. No session: nothing to enforce
 * on, and anything capd had for them is let go (an address back in the pool may be the next
 * customer's). An address that a subscriber with an address already holds, or another login's
 * session took first, is left out and said.
 */
import { type IpPrefix, parseIpPrefix } from '@capd/protocol'
import type { SubscriberRule } from '../driver.js'
import { keepFirst } from '../overlap.js'
import type { CheckedRule } from '../rules.js'
import type { Listing } from './listing.js'
import { ownName } from './names.js'
import type { Plan, Want } from './plan.js'

/**
 * How long a session address's `capd-blocked` entry lasts unless renewed (it is renewed at half):
 * the most an address handed to another customer stays blocked if the agent stops.
 */
export const SESSION_ENTRY_TIMEOUT_MS = 3_600_000

interface Held {
  subscriberId: string
  prefix: IpPrefix
  /** Set for a session's address. */
  byLogin?: SubscriberRule
}

export function sessionWants(
  byLogin: readonly SubscriberRule[],
  checked: readonly CheckedRule[],
  listing: Listing,
  plan: Plan,
): Want[] {
  if (byLogin.length === 0) return []
  const held: Held[] = checked.map(({ rule, prefix }) => ({ subscriberId: rule.subscriberId, prefix }))
  for (const rule of byLogin) {
    const seen = new Set<string>()
    for (const session of listing.sessions?.get(rule.login!) ?? []) {
      const prefix = sessionPrefix(session.address)
      if (!prefix || seen.has(prefix.text)) continue
      seen.add(prefix.text)
      held.push({ subscriberId: rule.subscriberId, prefix, byLogin: rule })
    }
  }
  const { kept, dropped } = keepFirst(held)
  for (const { item, keptOne } of dropped) {
    plan.problems.push(
      `${ownName(item.subscriberId)}: the session address ${item.prefix.text} of login "${item.byLogin?.login}" ` +
        `is also subscriber ${keptOne.subscriberId}'s (${keptOne.prefix.text}); not enforced there`,
    )
  }
  const prefixes = new Map<string, IpPrefix[]>()
  for (const { subscriberId, prefix, byLogin: rule } of kept) {
    if (rule) prefixes.set(subscriberId, [...(prefixes.get(subscriberId) ?? []), prefix])
  }
  const dynamicQueues = new Set(listing.queues.filter((row) => row.dynamic).map((row) => row.name))
  return byLogin.flatMap((rule) => {
    const mine = prefixes.get(rule.subscriberId)
    if (!mine) return []
    const throttled = rule.state === 'throttled'
    if (throttled) warnOwnQueue(plan, rule, dynamicQueues)
    return [{ rule, prefixes: mine, queue: throttled, entryTimeoutMs: SESSION_ENTRY_TIMEOUT_MS }]
  })
}

/** A session address as RouterOS prints it (`10.0.0.5`); none while the session is being set up. */
function sessionPrefix(address: string): IpPrefix | undefined {
  if (!address) return undefined
  try {
    return parseIpPrefix(address)
  } catch {
    return undefined
  }
}

/** A profile's rate-limit gives each session a dynamic queue; it may come before capd's in the list. */
function warnOwnQueue(plan: Plan, rule: SubscriberRule, dynamicQueues: ReadonlySet<string>): void {
  const own = [...dynamicQueues].find((name) => /^<[a-z0-9-]+-(.+)>$/.exec(name)?.[1] === rule.login)
  if (!own) return
  plan.warnings.push(
    `${ownName(rule.subscriberId)}: the session's own dynamic queue "${own}" also limits it; if it comes ` +
      'first in the queue list, the throttle has no effect: throttle PPP sessions with RADIUS CoA ' +
      '(Mikrotik-Rate-Limit), or give the profile no rate-limit',
  )
}
