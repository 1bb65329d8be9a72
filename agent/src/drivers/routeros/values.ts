/** RouterOS property values as the API prints them: `up/down` counters and rates, uptime, queue targets. */
import { parseIpPrefix } from '@capd/protocol'

export interface UpDown {
  /** From the target (the subscriber) towards the network. */
  up: bigint
  /** Towards the target. */
  down: bigint
}

/**
 * A simple queue's `bytes` (also `packets`, `rate`): `upload/download` as RouterOS orders every
 * two-way queue property, both from the target's point of view: upload is what the target sent
 * (source address = target), download what it received. So `up` comes first.
 */
export function parseUpDown(text: string | undefined): UpDown | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '')
  if (!match) return undefined
  return { up: BigInt(match[1]!), down: BigInt(match[2]!) }
}

const RATE_SCALE: Record<string, bigint> = { '': 1n, k: 1000n, K: 1000n, M: 1_000_000n, G: 1_000_000_000n }

/** A `max-limit` in bits per second: `0/0`, `5000000/20000000`, `5M/20M`, or one value for both directions. */
export function parseRate(text: string | undefined): UpDown | undefined {
  const parts = (text ?? '').split('/')
  if (parts.length > 2) return undefined
  const values = parts.map((part) => {
    const match = /^(\d+)([kKMG]?)$/.exec(part)
    return match ? BigInt(match[1]!) * RATE_SCALE[match[2]!]! : undefined
  })
  const [up, down = up] = values
  if (up === undefined || down === undefined) return undefined
  return { up, down }
}

export const formatRate = ({ up, down }: UpDown) => `${up}/${down}`

export const sameRate = (a: UpDown, b: UpDown) => a.up === b.up && a.down === b.down

const UNIT_MS: Record<string, number> = {
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
}

/**
 * `/system/resource` uptime in ms: `3w2d4h5m6s` (API and RouterOS 7, `ms` on some builds), or the
 * older `2d04:05:06` / `04:05:06`. Throws for anything else: a misread uptime would fake a reboot.
 */
export function parseUptime(text: string | undefined): number {
  const value = text ?? ''
  const clock = /^(?:(\d+)w)?(?:(\d+)d)?(\d+):(\d{2}):(\d{2})$/.exec(value)
  if (clock) {
    const [w = '0', d = '0', h, m, s] = clock.slice(1)
    return (
      Number(w) * UNIT_MS.w! +
      Number(d) * UNIT_MS.d! +
      Number(h) * UNIT_MS.h! +
      Number(m) * 60_000 +
      Number(s) * 1000
    )
  }
  if (!/^(\d+(w|d|h|ms|m|s))+$/.test(value)) throw new RangeError(`unreadable uptime "${value}"`)
  let ms = 0
  for (const [, count, unit] of value.matchAll(/(\d+)(w|d|h|ms|m|s)/g)) ms += Number(count) * UNIT_MS[unit!]!
  return ms
}

/**
 * A queue target in one comparable form: each IP part as `address/length` in canonical text,
 * anything else (an interface name, a bad prefix) as RouterOS printed it.
 */
export function canonicalTarget(text: string | undefined): string {
  return (text ?? '')
    .split(',')
    .map((part) => {
      try {
        const prefix = parseIpPrefix(part)
        return `${prefix.address}/${prefix.prefixLength}`
      } catch {
        return part
      }
    })
    .join(',')
}

/** An address-list `address` in the same form as the canonical rule address, when it is one. */
export function canonicalAddress(text: string | undefined): string | undefined {
  try {
    return parseIpPrefix(text ?? '').text
  } catch {
    return undefined
  }
}
