import { describe, expect, it } from 'vitest'
import { canonicalAddress, canonicalTarget, parseRate, parseUpDown, parseUptime } from './values.js'

describe('parseUpDown', () => {
  it('reads upload first: up is what the target sent, down what it received; exact past 2^53', () => {
    expect(parseUpDown('1000/250000')).toEqual({ up: 1000n, down: 250_000n })
    expect(parseUpDown('18446744073709551615/9007199254740993')).toEqual({
      up: 2n ** 64n - 1n,
      down: 2n ** 53n + 1n,
    })
  })
  it('refuses anything else', () => {
    for (const text of [undefined, '', '5', '1/2/3', '-1/2', '1.5/2'])
      expect(parseUpDown(text)).toBeUndefined()
  })
})

describe('parseRate', () => {
  it('reads bits per second with RouterOS suffixes, one value meaning both directions', () => {
    expect(parseRate('0/0')).toEqual({ up: 0n, down: 0n })
    expect(parseRate('5000000/20000000')).toEqual({ up: 5_000_000n, down: 20_000_000n })
    expect(parseRate('5M/20M')).toEqual({ up: 5_000_000n, down: 20_000_000n })
    expect(parseRate('64k')).toEqual({ up: 64_000n, down: 64_000n })
    expect(parseRate('fast')).toBeUndefined()
  })
})

describe('parseUptime', () => {
  it('reads the API format and the older clock format', () => {
    expect(parseUptime('0s')).toBe(0)
    expect(parseUptime('1w2d3h4m5s')).toBe(((7 + 2) * 24 * 3600 + 3 * 3600 + 4 * 60 + 5) * 1000)
    expect(parseUptime('4m5s250ms')).toBe(245_250)
    expect(parseUptime('2d04:05:06')).toBe((2 * 86400 + 4 * 3600 + 5 * 60 + 6) * 1000)
    expect(parseUptime('00:00:09')).toBe(9000)
  })
  it('throws rather than guess: a misread uptime would look like a reboot', () => {
    for (const text of [undefined, '', 'soon', '5 minutes', '3x'])
      expect(() => parseUptime(text)).toThrow(RangeError)
  })
})

describe('canonicalTarget and canonicalAddress', () => {
  it('compare addresses however RouterOS or the operator wrote them', () => {
    expect(canonicalTarget('10.0.0.5/32')).toBe('10.0.0.5/32')
    expect(canonicalTarget('10.0.0.5')).toBe('10.0.0.5/32')
    expect(canonicalTarget('2001:DB8:0::/64')).toBe('2001:db8::/64')
    expect(canonicalTarget('10.0.0.5/32,ether2')).toBe('10.0.0.5/32,ether2')
    expect(canonicalAddress('10.0.0.5/32')).toBe('10.0.0.5')
    expect(canonicalAddress('2001:db8::1/128')).toBe('2001:db8::1')
    expect(canonicalAddress('example.com')).toBeUndefined()
  })
})
