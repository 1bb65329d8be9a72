/** Which client a login attempt counts against: an IPv4 address, or an IPv6 address's /64 (one customer's whole prefix). */
import { isIPv4, isIPv6 } from 'node:net'

/**
 * The throttle's name for a client address. An IPv6 host picks any address in its /64 at will, so
 * the /64 is the client; an IPv4-mapped IPv6 address (`::ffff:192.0.2.4`, how a dual-stack socket
 * reports IPv4 peers) is that IPv4 address. Anything else (not an IP address) is kept as it is,
 * cut to a sane length.
 */
export function addressBucket(address: string): string {
  const bare = address.trim().replace(/%.*$/, '')
  if (isIPv4(bare)) return bare
  if (!isIPv6(bare)) return address.slice(0, 100)
  const groups = expandIPv6(bare)
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` and a dotted IPv4 tail resolved). */
function expandIPv6(address: string): number[] {
  let text = address.toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  return [...left, ...Array(8 - left.length - right.length).fill(0), ...right]
}
