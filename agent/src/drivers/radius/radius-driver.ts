/**
 * RADIUS accounting as the counters, paired with an enforcer (nftables, RouterOS, or CoA to the NAS: coa-enforcer.ts) as SNMP is, or
 * with none: count only. The enforcer's own counters are not the ones that count, so it gets no
 * byte allowance to install: the cap is enforced at the next poll after the NAS's next report.
 */
import type { CounterReading, RouterDriver, SubscriberRule } from '../driver.js'
import type { RadiusAccounting } from './accounting-server.js'

export interface RadiusDriver extends RouterDriver {
  /** Framed addresses of each subscriber's open sessions (for enforcers that need them). */
  sessionAddresses(): ReadonlyMap<string, readonly string[]>
}

export function createRadiusDriver(source: RadiusAccounting, enforcer?: RouterDriver): RadiusDriver {
  const noReading = (): CounterReading => ({ atMs: Date.now(), bootId: '', samples: [] })
  return {
    kind: enforcer ? `radius+${enforcer.kind}` : 'radius',
    async start() {
      await source.start()
      await enforcer?.start()
    },
    readCounters: () => source.readCounters(),
    async apply(rules, _reading, creating) {
      const skipped = await source.track(rules, creating)
      if (!enforcer) return { skipped }
      // A subscriber known by login alone is enforced on the Framed-IP-Address its NAS reported last
      // (none open: nothing to enforce on); CoA finds sessions by login and needs no address. The
      // subscribers with an address go first, so a stale framed address (a Stop that never came)
      // that is now another subscriber's is the one skipped as an overlap, never theirs.
      const framed = source.sessionAddresses()
      const fixed: SubscriberRule[] = []
      const byLogin: SubscriberRule[] = []
      for (const { remainingBytes: _, count: __, ...rule } of rules) {
        if (rule.address !== undefined || enforcer.kind === 'coa') fixed.push(rule)
        else {
          const address = framed.get(rule.subscriberId)?.at(-1)
          if (address !== undefined) byLogin.push({ ...rule, address })
        }
      }
      const enforced = [...fixed, ...byLogin]
      const report = await enforcer.apply(enforced, noReading())
      return { skipped: [...skipped, ...report.skipped] }
    },
    sessionAddresses: () => source.sessionAddresses(),
    async close() {
      await source.close()
      await enforcer?.close()
    },
  }
}
