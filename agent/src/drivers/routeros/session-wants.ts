/**
 * Subscribers known by login: their addresses are those of their open PPP and hotspot sessions,
 * as listed with the rest of the router this plan diffs against. No session: nothing to enforce
 * on, and anything capd had for them is let go (an address back in the pool may be the next
 * customer's). An address that a subscriber with an address already holds, or another login's
 * session took first, is left out and said.
 */
import { type IpPrefix, parseIpPrefix } from '@capd/protocol'
import type { SubscriberRule } from '../driver.js'
import { loginPrefixes } from '../login-prefixes.js'
import type { CheckedRule } from '../rules.js'
import type { Listing } from './listing.js'
import { ownName } from './names.js'
import type { Plan, Want } from './plan.js'

/**
 * How long a session address's `capd-blocked` entry lasts unless renewed (it is renewed at half):
 * the most an address handed to another customer stays blocked if the agent stops.
 */
export const SESSION_ENTRY_TIMEOUT_MS = 3_600_000

export function sessionWants(
  byLogin: readonly SubscriberRule[],
  checked: readonly CheckedRule[],
  listing: Listing,
  plan: Plan,
): Want[] {
  if (byLogin.length === 0) return []
  const sessions = new Map<string, IpPrefix[]>()
  for (const [login, rows] of listing.sessions ?? []) {
    const prefixes = new Map<string, IpPrefix>()
    for (const row of rows) {
      const prefix = sessionPrefix(row.address)
      if (prefix) prefixes.set(prefix.text, prefix)
    }
    sessions.set(login, [...prefixes.values()])
  }
  const { prefixes, problems } = loginPrefixes(byLogin, checked, sessions)
  for (const { message } of problems) plan.problems.push(message)
  const dynamicQueues = new Set(listing.queues.filter((row) => row.dynamic).map((row) => row.name))
  return byLogin.flatMap((rule) => {
    const mine = prefixes.get(rule.subscriberId)
    if (!mine?.length) return []
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
