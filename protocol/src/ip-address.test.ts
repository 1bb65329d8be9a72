import { describe, expect, it } from 'vitest'
import { parseIpNetwork, parseIpPrefix } from './ip-address.js'

describe('parseIpPrefix', () => {
  it.each([
    ['10.0.0.5', '10.0.0.5', 4, 32],
    [' 10.0.1.0/24 ', '10.0.1.0/24', 4, 24],
    ['10.0.0.5/32', '10.0.0.5', 4, 32],
    ['0.0.0.0/0', '0.0.0.0/0', 4, 0],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6, 128],
    ['2001:db8:0:0:1:0:0:0/80', '2001:db8:0:0:1::/80', 6, 80],
    ['2001:db8::/64', '2001:db8::/64', 6, 64],
    ['::ffff:192.0.2.1', '::ffff:c000:201', 6, 128],
    ['::', '::', 6, 128],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1', 6, 128],
  ])('%s → %s', (input, text, family, prefixLength) => {
    expect(parseIpPrefix(input)).toMatchObject({ text, family, prefixLength })
  })

  it.each([
    ['10.0.0.256', /not an IPv4 or IPv6/],
    ['10.0.0', /not an IPv4 or IPv6/],
    ['example.com', /not an IPv4 or IPv6/],
    ['10.0.0.0/33', /prefix length must be 0–32/],
    ['10.0.0.0/-1', /prefix length/],
    ['10.0.0.0/24/1', /not an IPv4 or IPv6/],
    ['10.0.0.5/24', /host bits set; the prefix is 10\.0\.0\.0\/24/],
    ['2001:db8::1/64', /host bits set; the prefix is 2001:db8::\/64/],
    ['fe80::1%eth0', /not an IPv4 or IPv6/],
    ['', /not an IPv4 or IPv6/],
  ])('rejects %s', (input, message) => {
    expect(() => parseIpPrefix(input)).toThrow(message)
  })
})

describe('parseIpNetwork', () => {
  it.each([
    ['10.0.0.5', '10.0.0.5'],
    ['10.0.0.5/24', '10.0.0.0/24'],
    ['2001:db8:1::5/64', '2001:db8:1::/64'],
    ['2001:db8:1::/64', '2001:db8:1::/64'],
    ['fd00::1/128', 'fd00::1'],
  ])('%s is in %s', (input, text) => {
    expect(parseIpNetwork(input).text).toBe(text)
  })

  it.each(['', 'alice', '10.0.0.5/33', '10.0.0.5/24/1', '2001:db8::x/64'])('refuses %j', (input) => {
    expect(() => parseIpNetwork(input)).toThrow(RangeError)
  })
})
