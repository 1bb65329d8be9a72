/**
 * Subscribers known by login (PPPoE and hotspot sessions on RouterOS, a Linux BRAS): their
 * addresses are their sessions' current ones.
 * An address a subscriber with an address already holds (equal or inside its prefix), or another
 * login's session listed first, is left out and said; the subscriber's counters stay all the same.
 */
import type { IpPrefix, RuleProblem } from '@capd/protocol'
import type { SubscriberRule } from './driver.js'
import { keepFirst } from './overlap.js'
import type { CheckedRule } from './rules.js'

export interface LoginPrefixes {
  /** Each login subscriber's session prefixes now (none: no session, so no address to enforce on). */
  prefixes: Map<string, IpPrefix[]>
  /** Login subscribers with a session address left out, each with why. */
  problems: RuleProblem[]
}

interface Held {
  subscriberId: string
  prefix: IpPrefix
  login?: string
}

/** `sessions`: login → the prefixes of its open sessions. */
export function loginPrefixes(
  byLogin: readonly SubscriberRule[],
  checked: readonly CheckedRule[],
  sessions: ReadonlyMap<string, readonly IpPrefix[]>,
): LoginPrefixes {
  const prefixes = new Map<string, IpPrefix[]>(byLogin.map((rule) => [rule.subscriberId, []]))
  if (byLogin.length === 0) return { prefixes, problems: [] }
  const held: Held[] = checked.map(({ rule, prefix }) => ({ subscriberId: rule.subscriberId, prefix }))
  for (const rule of byLogin) {
    for (const prefix of sessions.get(rule.login!) ?? []) {
      held.push({ subscriberId: rule.subscriberId, prefix, login: rule.login! })
    }
  }
  const { kept, dropped } = keepFirst(held)
  for (const { subscriberId, prefix, login } of kept) if (login) prefixes.get(subscriberId)!.push(prefix)
  const problems = new Map<string, RuleProblem>()
  for (const { item, keptOne } of dropped) {
    if (problems.has(item.subscriberId)) continue
    problems.set(item.subscriberId, {
      subscriberId: item.subscriberId,
      code: 'address_overlap',
      message: (
        `subscriber ${item.subscriberId}: the session address ${item.prefix.text} of login "${item.login}" ` +
        `overlaps subscriber ${keptOne.subscriberId} (${keptOne.prefix.text}), which keeps it; not enforced there`
      ).slice(0, 480),
    })
  }
  return { prefixes, problems: [...problems.values()] }
}

/** login → its sessions' prefixes. */
export function prefixesByLogin(
  sessions: ReadonlyArray<{ login: string; prefix: IpPrefix }>,
): Map<string, IpPrefix[]> {
  const byLogin = new Map<string, IpPrefix[]>()
  for (const { login, prefix } of sessions) {
    const list = byLogin.get(login)
    if (list) list.push(prefix)
    else byLogin.set(login, [prefix])
  }
  return byLogin
}
