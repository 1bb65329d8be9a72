/** Byte counts: the schema every wire field uses, and parsing/formatting of human sizes like "1.5 GB". */
import { z } from 'zod'

export const ByteCount = z
  .number({ error: 'byte count must be a number' })
  .int({ error: 'byte count must be a whole number of bytes within the safe integer range' })
  .nonnegative({ error: 'byte count must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'byte count must be at most Number.MAX_SAFE_INTEGER' })
export type ByteCount = z.infer<typeof ByteCount>

// Units are matched case-insensitively, so "kb", "KB" and "kB" all mean 1000 bytes.
// A lowercase "b" means bytes too: bits are never a unit here, because caps are sold in bytes
// and reading "Mb" as megabits would silently shrink a cap eightfold.
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['', 1n],
  ['b', 1n],
  ['kb', 1000n],
  ['mb', 1000n ** 2n],
  ['gb', 1000n ** 3n],
  ['tb', 1000n ** 4n],
  ['pb', 1000n ** 5n],
  ['kib', 1024n],
  ['mib', 1024n ** 2n],
  ['gib', 1024n ** 3n],
  ['tib', 1024n ** 4n],
  ['pib', 1024n ** 5n],
])

const SIZE = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i

/**
 * Parses a byte count: a non-negative safe integer, or a string such as "200MB", "1.5 GB",
 * "512 B", "10 KiB". SI prefixes are powers of 1000, the `i` prefixes powers of 1024.
 */
export function parseBytes(input: string | number): number {
  if (typeof input === 'number') return checkedBytes(input, String(input))
  if (typeof input !== 'string')
    throw new TypeError(`byte size must be a string or a number, got ${typeof input}`)
  if (input.trim() === '') throw new RangeError('byte size must not be empty')
  const match = SIZE.exec(input.trim())
  if (!match) {
    throw new RangeError(
      `invalid byte size ${JSON.stringify(input)}: expected a number and a unit, e.g. "200 MB"`,
    )
  }
  const [, whole = '', fraction = '', unit = ''] = match
  const multiplier = UNITS.get(unit.toLowerCase())
  if (multiplier === undefined) {
    throw new RangeError(
      `unknown byte unit ${JSON.stringify(unit)} in ${JSON.stringify(input)}: use B, kB, MB, GB, TB, PB, KiB, MiB, GiB, TiB or PiB`,
    )
  }
  // Exact decimal arithmetic: 1.1 * 1e9 in floating point is 1100000000.0000002.
  const scale = 10n ** BigInt(fraction.length)
  const scaled = (BigInt(whole) * scale + BigInt(fraction || '0')) * multiplier
  if (scaled % scale !== 0n)
    throw new RangeError(`byte size ${JSON.stringify(input)} is not a whole number of bytes`)
  const bytes = scaled / scale
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`byte size ${JSON.stringify(input)} exceeds Number.MAX_SAFE_INTEGER bytes`)
  }
  return Number(bytes)
}

function checkedBytes(n: number, shown: string): number {
  if (!Number.isFinite(n)) throw new RangeError(`byte count must be finite, got ${shown}`)
  if (n < 0) throw new RangeError(`byte count must not be negative, got ${shown}`)
  if (!Number.isInteger(n)) throw new RangeError(`byte count must be a whole number of bytes, got ${shown}`)
  if (n > Number.MAX_SAFE_INTEGER)
    throw new RangeError(`byte count exceeds Number.MAX_SAFE_INTEGER, got ${shown}`)
  return n
}

const SI_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const

/** Formats a byte count with SI units and up to 3 significant digits: 1_500_000_000 → "1.5 GB". */
export function formatBytes(n: number): string {
  checkedBytes(n, String(n))
  let exponent = n === 0 ? 0 : Math.min(Math.floor(Math.log10(n) / 3), SI_UNITS.length - 1)
  // log10 is inexact near powers of ten (log10(1e15) may be 14.999…), so correct both ways.
  while (exponent > 0 && n < 1000 ** exponent) exponent--
  while (exponent < SI_UNITS.length - 1 && n >= 1000 ** (exponent + 1)) exponent++
  let value = Number((n / 1000 ** exponent).toPrecision(3))
  // Rounding can carry into the next unit: 999_999 B is 999.999 kB, which rounds to "1 MB".
  if (value >= 1000 && exponent < SI_UNITS.length - 1) {
    exponent++
    value = Number((n / 1000 ** exponent).toPrecision(3))
  }
  return `${value} ${SI_UNITS[exponent]}`
}
