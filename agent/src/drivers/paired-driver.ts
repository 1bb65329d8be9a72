/**
 * Counters from one place, enforcement at another: SNMP counters (per interface or per MikroTik
 * queue) paired with an enforcer (nftables or RouterOS). Each subscriber's counter is found by name,
 * from a pattern over its login (`<pppoe-{login}>`) or an explicit map. Without counters of its
 * own the enforcer gets no byte allowance to install: the cap is enforced at the next poll.
 */
import type { CounterReading, RouterDriver, SubscriberRule } from './driver.js'
import type { SnmpCounterSource } from './snmp/counter-source.js'

export interface PairedOptions {
  /** `{login}`, `{subscriberId}` and `{address}` are replaced; e.g. `<pppoe-{login}>`. */
  namePattern: string
  /** Names that do not follow the pattern, by subscriber id. */
  names?: Readonly<Record<string, string>>
}

export function counterName(rule: SubscriberRule, options: PairedOptions): string | undefined {
  const explicit = options.names?.[rule.subscriberId]
  if (explicit) return explicit
  if (options.namePattern.includes('{login}') && !rule.login) return undefined
  if (options.namePattern.includes('{address}') && rule.address === undefined) return undefined
  return options.namePattern
    .replaceAll('{login}', rule.login ?? '')
    .replaceAll('{subscriberId}', rule.subscriberId)
    .replaceAll('{address}', rule.address ?? '')
}

export function pairCountersWithEnforcer(
  source: SnmpCounterSource,
  enforcer: RouterDriver,
  options: PairedOptions,
): RouterDriver {
  let names = new Map<string, string>()
  const noReading = (): CounterReading => ({ atMs: Date.now(), bootId: '', samples: [] })
  return {
    kind: `snmp+${enforcer.kind}`,
    start: () => enforcer.start(),
    readCounters: () => source.readCounters(names),
    async apply(rules) {
      names = new Map(
        rules.flatMap((rule) => {
          const name = counterName(rule, options)
          return name ? [[rule.subscriberId, name] as const] : []
        }),
      )
      // The enforcer's own counters are not the ones that count here, so no allowance is installed
      // (nor its direction); block and both throttle rates pass through as they are.
      const enforced = rules.map(({ remainingBytes: _, count: __, ...rule }) => rule)
      return enforcer.apply(enforced, noReading())
    },
    async close() {
      await source.close()
      await enforcer.close()
    },
  }
}
