/**
 * An independent byte count on the namespace router: table `inet audit`, not capd's, with its own
 * counters per customer address, to check the controller's books against.
 *
 * It counts the same packets capd's counters do. capd counts in its base chain on hook forward at
 * priority -10, with nft `counter` (the packet's length at that hook: the L3 packet, IP header
 * included), after its own block/throttle/quota rules. The audit chain is on the same hook at
 * priority -5, so it runs after capd's chain: a packet capd dropped never reaches it, and every
 * packet capd counted does (nothing else on the router drops in between). Same hook, same
 * `counter` statement, same direction split (daddr = down, saddr = up): the same bytes.
 */
import type { DownUp } from '@capd/protocol'
import type { NetnsRouter } from './netns-router.js'

const TABLE = 'audit'
/** After capd's chain (-10), before the usual filter chains (0). */
export const AUDIT_PRIORITY = -5

export interface AuditCounters {
  /** Starts counting `address` (an IPv4 host address); do it before any traffic to it. */
  watch(address: string): Promise<void>
  /** down + up bytes counted for each watched address. */
  totals(): Promise<Map<string, number>>
  /** The same, each direction apart (down = to the address, up = from it). */
  directions(): Promise<Map<string, DownUp<number>>>
}

export async function createAuditCounters(net: NetnsRouter): Promise<AuditCounters> {
  const nft = (script: string) => net.exec(net.routerNs, ['nft', '-f', '-'], `${script}\n`)
  const t = `inet ${TABLE}`
  await nft(
    [
      `add table ${t}`,
      `add map ${t} down { type ipv4_addr : counter; }`,
      `add map ${t} up { type ipv4_addr : counter; }`,
      `add chain ${t} forward { type filter hook forward priority ${AUDIT_PRIORITY}; policy accept; }`,
      `add rule ${t} forward counter name ip daddr map @down`,
      `add rule ${t} forward counter name ip saddr map @up`,
    ].join('\n'),
  )
  const names = new Map<string, string>()
  const directions = async (): Promise<Map<string, DownUp<number>>> => {
    const listing = JSON.parse(await net.exec(net.routerNs, ['nft', '-j', 'list', 'table', ...t.split(' ')]))
    const bytes = new Map<string, number>()
    for (const item of listing.nftables as Array<Record<string, { name?: string; bytes?: number }>>) {
      if (item.counter?.name) bytes.set(item.counter.name, Number(item.counter.bytes))
    }
    const counts = new Map<string, DownUp<number>>()
    for (const [address, name] of names) {
      counts.set(address, { down: bytes.get(`${name}_d`) ?? 0, up: bytes.get(`${name}_u`) ?? 0 })
    }
    return counts
  }
  return {
    async watch(address) {
      const name = `a${names.size}`
      await nft(
        [
          `add counter ${t} ${name}_d`,
          `add counter ${t} ${name}_u`,
          `add element ${t} down { ${address} : "${name}_d" }`,
          `add element ${t} up { ${address} : "${name}_u" }`,
        ].join('\n'),
      )
      names.set(address, name)
    },
    directions,
    async totals() {
      const totals = new Map<string, number>()
      for (const [address, { down, up }] of await directions()) totals.set(address, down + up)
      return totals
    },
  }
}
