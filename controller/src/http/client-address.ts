/** The client's address behind reverse proxies: the entry the nearest trusted proxy added to a forwarding header. */
import { isIPv4, isIPv6 } from 'node:net'
import type { Context } from 'hono'
import { socketAddress } from '../portal/request-origin.js'

/**
 * Reads the client's address from `header` (such as `X-Forwarded-For`), where each proxy appends
 * the address it was reached from. Only the entries the trusted proxies added can be believed:
 * the client writes whatever it likes before them. With `trustedHops` proxies in front of capd,
 * the client is the `trustedHops`-th entry from the end (the last one with a single proxy).
 * Headers sent more than once are read as one list, in order. Without the header (a request that
 * did not come through the proxy) the socket's peer is the client. A port written with the address
 * is dropped (see withoutPort).
 */
export function forwardedClientAddress(header: string, trustedHops = 1): (c: Context) => string | undefined {
  if (!Number.isSafeInteger(trustedHops) || trustedHops < 1) {
    throw new Error('forwardedClientAddress: trustedHops must be a whole number of at least 1')
  }
  return function forwardedClientAddress(c) {
    const entries = (c.req.header(header) ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
    if (entries.length === 0) return socketAddress(c)
    // Fewer entries than trusted proxies: the first is already one a trusted proxy wrote.
    return withoutPort(entries[Math.max(0, entries.length - trustedHops)]!)
  }
}

/**
 * Some proxies write the client's port too (`192.0.2.4:51234`, `[2001:db8::1]:443`). The port is new
 * with every connection, so left in, it would make each connection a new client to the throttle.
 */
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry)
  if (bracketed && isIPv6(bracketed[1]!)) return bracketed[1]!
  const ipv4 = /^([\d.]+):\d{1,5}$/.exec(entry)
  if (ipv4 && isIPv4(ipv4[1]!)) return ipv4[1]!
  return entry
}
