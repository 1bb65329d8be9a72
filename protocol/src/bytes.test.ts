import { describe, expect, it } from 'vitest'
import { ByteCount, formatBytes, parseBytes } from './bytes.js'

describe('parseBytes', () => {
  it.each([
    ['0', 0],
    ['512 B', 512],
    ['512b', 512],
    ['200MB', 200_000_000],
    ['1.5 GB', 1_500_000_000],
    ['1.1 GB', 1_100_000_000],
    ['10 kB', 10_000],
    ['10KB', 10_000],
    ['10 kb', 10_000],
    ['1 TB', 1_000_000_000_000],
    ['2 PB', 2_000_000_000_000_000],
    ['1 KiB', 1024],
    ['1.5 KiB', 1536],
    ['3 MiB', 3 * 1024 ** 2],
    ['2 gib', 2 * 1024 ** 3],
    ['1 TiB', 1024 ** 4],
    ['  42  ', 42],
    ['0.001 kB', 1],
  ])('parses %j as %d bytes', (input, expected) => {
    expect(parseBytes(input)).toBe(expected)
  })

  it('accepts non-negative safe integers as numbers', () => {
    expect(parseBytes(0)).toBe(0)
    expect(parseBytes(123_456)).toBe(123_456)
    expect(parseBytes(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER)
  })

  it.each([
    [-1, /negative/],
    [1.5, /whole number/],
    [Number.NaN, /finite/],
    [Number.POSITIVE_INFINITY, /finite/],
    [2 ** 53, /MAX_SAFE_INTEGER/],
  ])('rejects the number %d', (input, message) => {
    expect(() => parseBytes(input)).toThrow(RangeError)
    expect(() => parseBytes(input)).toThrow(message)
  })

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['-5 MB', /invalid byte size "-5 MB"/],
    ['1.5 B', /not a whole number of bytes/],
    ['0.1 KiB', /not a whole number of bytes/],
    ['10 XB', /unknown byte unit "XB"/],
    ['10 K', /unknown byte unit "K"/],
    ['1e9', /invalid byte size "1e9"/],
    ['MB', /invalid byte size/],
    ['.5 GB', /invalid byte size/],
    ['1,000 B', /invalid byte size/],
    ['9 PiB', /exceeds Number.MAX_SAFE_INTEGER/],
  ])('rejects the string %j', (input, message) => {
    expect(() => parseBytes(input)).toThrow(RangeError)
    expect(() => parseBytes(input)).toThrow(message)
  })

  it('rejects other types with a TypeError', () => {
    expect(() => parseBytes(null as unknown as string)).toThrow(TypeError)
  })
})

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1536, '1.54 kB'],
    [999_499, '999 kB'],
    [999_999, '1 MB'],
    [1_000_000, '1 MB'],
    [1_500_000_000, '1.5 GB'],
    [123_456_789, '123 MB'],
    [1_000_000_000_000, '1 TB'],
    [1e15, '1 PB'],
    [Number.MAX_SAFE_INTEGER, '9.01 PB'],
  ])('formats %d as %j', (n, expected) => {
    expect(formatBytes(n)).toBe(expected)
  })

  it('rejects values that are not byte counts', () => {
    expect(() => formatBytes(-1)).toThrow(/negative/)
    expect(() => formatBytes(0.5)).toThrow(/whole number/)
  })

  it('round-trips through parseBytes for values with 3 significant digits', () => {
    for (const n of [0, 7, 250_000, 1_230_000_000, 45_600_000_000_000]) {
      expect(parseBytes(formatBytes(n))).toBe(n)
    }
  })
})

describe('ByteCount', () => {
  it('accepts non-negative safe integers only', () => {
    expect(ByteCount.parse(42)).toBe(42)
    expect(ByteCount.safeParse(-1).error?.issues[0]?.message).toBe('byte count must not be negative')
    expect(ByteCount.safeParse(1.5).error?.issues[0]?.message).toMatch(/whole number/)
    expect(ByteCount.safeParse(2 ** 53).success).toBe(false)
    expect(ByteCount.safeParse('42').success).toBe(false)
  })
})
