/** Subscriber addresses: an IPv4/IPv6 address or prefix, checked and written one canonical way. */
import { isIP } from 'node:net'

export interface IpPrefix {
  family: 4 | 6
  /** Canonical text: `10.0.0.5`, `10.0.1.0/24`, `2001:db8::/64`. A full-length prefix is a bare address. */
  text: string
  address: string
  prefixLength: number
}

/** Parses an address or prefix; throws a RangeError saying what is wrong. */
export function parseIpPrefix(input: string): IpPrefix {
  const trimmed = input.trim()
  const [addr = '', len, ...rest] = trimmed.split('/')
  const family = isIP(addr)
  if ((family !== 4 && family !== 6) || rest.length > 0 || addr.includes('%')) {
    throw new RangeError(`"${input}" is not an IPv4 or IPv6 address or prefix`)
  }
  const bits = family === 4 ? 32 : 128
  let prefixLength = bits
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len) || Number(len) > bits) {
      throw new RangeError(`"${input}": prefix length must be 0–${bits}`)
    }
    prefixLength = Number(len)
  }
  const value = toBigInt(addr, family)
  const hostBits = BigInt(bits - prefixLength)
  const network = (value >> hostBits) << hostBits
  if (network !== value) {
    throw new RangeError(
      `"${input}" has host bits set; the prefix is ${fromBigInt(network, family)}/${prefixLength}`,
    )
  }
  const address = fromBigInt(value, family)
  return {
    family,
    address,
    prefixLength,
    text: prefixLength === bits ? address : `${address}/${prefixLength}`,
  }
}

/**
 * The network an interface address sits in (`2001:db8:1::5/64` → `2001:db8:1::/64`): like
 * parseIpPrefix, but host bits are cleared instead of refused. For addresses a router prints.
 */
export function parseIpNetwork(input: string): IpPrefix {
  const [addr = '', len, ...rest] = input.trim().split('/')
  if (len === undefined || rest.length > 0) return parseIpPrefix(input)
  const family = isIP(addr)
  if (family !== 4 && family !== 6) return parseIpPrefix(input)
  const bits = family === 4 ? 32 : 128
  if (!/^\d{1,3}$/.test(len) || Number(len) > bits) return parseIpPrefix(input)
  const hostBits = BigInt(bits - Number(len))
  const network = (toBigInt(addr, family) >> hostBits) << hostBits
  return parseIpPrefix(`${fromBigInt(network, family)}/${len}`)
}

/** The address's value as a number (32 or 128 bits). */
export function addressValue(addr: string, family: 4 | 6): bigint {
  return toBigInt(addr, family)
}

function toBigInt(addr: string, family: 4 | 6): bigint {
  if (family === 4) return addr.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
  let text = addr
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const n = toBigInt(v4[1]!, 4)
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups]
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n)
}

function fromBigInt(value: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 255n)).join('.')
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn))
  // RFC 5952: compress the longest run of two or more zero groups, the first if tied.
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}
