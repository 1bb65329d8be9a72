/**
 * parseIpPrefix with memory: every poll meets the same few thousand addresses (in the listing and
 * in the rules), and parsing each one again was most of a poll's JavaScript time at 10k subscribers.
 */
import { type IpPrefix, parseIpPrefix } from '@capd/protocol'

const MAX_ENTRIES = 200_000
const cache = new Map<string, IpPrefix>()

/** Same answer and same errors as parseIpPrefix; only successful parses are kept. */
export function cachedPrefix(text: string): IpPrefix {
  const hit = cache.get(text)
  if (hit) return hit
  const parsed = parseIpPrefix(text)
  if (cache.size >= MAX_ENTRIES) cache.clear()
  cache.set(text, parsed)
  return parsed
}
