/** Which addresses a subscriber may have: a router can count and block one, never a catch-all or special range. */
import { addressValue, type IpPrefix, parseIpPrefix } from './ip-address.js'

/** Shortest prefix a subscriber may hold; anything wider is a catch-all that would swallow the network. */
export const MIN_PREFIX_LENGTH = { 4: 8, 6: 32 } as const

interface Forbidden {
  prefix: IpPrefix
  range: { start: bigint; end: bigint }
  what: string
}

/**
 * Ranges no subscriber address may touch (equal, inside or around): nothing is forwarded to or from
 * them per subscriber, and an nft set or RouterOS list holding one would catch the router's own traffic.
 * The more specific entries come first, so the message names the narrowest reason.
 */
const FORBIDDEN: readonly Forbidden[] = (
  [
    ['255.255.255.255', 'the broadcast address'],
    ['0.0.0.0/8', 'in 0.0.0.0/8 ("this network")'],
    ['127.0.0.0/8', 'a loopback address'],
    ['169.254.0.0/16', 'a link-local address'],
    ['224.0.0.0/4', 'a multicast address'],
    ['240.0.0.0/4', 'in the reserved range 240.0.0.0/4'],
    ['::', 'the unspecified address'],
    ['::1', 'the loopback address'],
    ['::ffff:0:0/96', 'an IPv4-mapped address (write the IPv4 address itself)'],
    ['::/96', 'an IPv4-compatible address (deprecated; write the IPv4 address itself)'],
    ['fe80::/10', 'a link-local address'],
    ['ff00::/8', 'a multicast address'],
  ] as const
).map(([text, what]) => {
  const prefix = parseIpPrefix(text)
  return { prefix, range: prefixRange(prefix), what }
})

/** The first and last address of a prefix, as numbers. */
export function prefixRange(prefix: IpPrefix): { start: bigint; end: bigint } {
  const bits = prefix.family === 4 ? 32 : 128
  const start = addressValue(prefix.address, prefix.family)
  return { start, end: start + (1n << BigInt(bits - prefix.prefixLength)) - 1n }
}

/** Why no subscriber may have this prefix, or undefined when one may. */
export function addressRefusal(prefix: IpPrefix): string | undefined {
  const min = MIN_PREFIX_LENGTH[prefix.family]
  if (prefix.prefixLength < min) {
    return `${prefix.text} is a catch-all prefix: an IPv${prefix.family} subscriber prefix must be /${min} or longer`
  }
  const { start, end } = prefixRange(prefix)
  for (const forbidden of FORBIDDEN) {
    if (forbidden.prefix.family !== prefix.family) continue
    if (forbidden.range.start > end || start > forbidden.range.end) continue
    const inside = forbidden.range.start <= start && end <= forbidden.range.end
    return inside
      ? `${prefix.text} is ${forbidden.what}`
      : `${prefix.text} holds ${forbidden.prefix.text}, which is ${forbidden.what}`
  }
  return undefined
}

/** parseIpPrefix, then refuses what no subscriber may have; throws a RangeError saying which. */
export function parseSubscriberAddress(input: string): IpPrefix {
  const prefix = parseIpPrefix(input)
  const refusal = addressRefusal(prefix)
  if (refusal) throw new RangeError(refusal)
  return prefix
}
