import { describe, expect, it } from 'vitest'
import { parseIpPrefix } from './ip-address.js'
import { addressRefusal, parseSubscriberAddress, prefixRange } from './subscriber-address.js'

describe('parseSubscriberAddress', () => {
  it.each([
    ['0.0.0.0/0', /catch-all.*\/8 or longer/],
    ['::/0', /catch-all.*\/32 or longer/],
    ['10.0.0.0/7', /catch-all/],
    ['2001::/31', /catch-all/],
    ['0.0.0.0', /"this network"/],
    ['0.1.2.3', /"this network"/],
    ['127.0.0.1', /loopback/],
    ['127.0.0.0/8', /loopback/],
    ['169.254.1.1', /link-local/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['::ffff:10.0.0.5', /IPv4-mapped/],
    ['::ffff:0:0/96', /IPv4-mapped/],
    ['::10.0.0.5', /IPv4-compatible/],
    ['fe80::1', /link-local/],
    ['febf:ffff::/32', /link-local/],
    ['ff02::1', /multicast/],
    ['ff0e::/32', /multicast/],
    // A prefix that holds a forbidden range is refused too.
    ['::/32', /IPv4-compatible|unspecified/],
  ])('refuses %s', (input, message) => {
    expect(() => parseSubscriberAddress(input)).toThrow(message)
  })

  it.each([
    ['10.0.0.5', '10.0.0.5'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['1.0.0.0/8', '1.0.0.0/8'],
    ['126.255.255.255', '126.255.255.255'],
    ['128.0.0.0', '128.0.0.0'],
    ['169.253.255.255', '169.253.255.255'],
    ['223.255.255.255', '223.255.255.255'],
    ['100.64.0.1', '100.64.0.1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:DB8::5', '2001:db8::5'],
    ['fc00::/48', 'fc00::/48'],
    ['fec0::1', 'fec0::1'],
    ['::1:0:0:1', '::1:0:0:1'],
    ['feff::1', 'feff::1'],
    ['fe00::/32', 'fe00::/32'],
  ])('accepts %s', (input, text) => {
    expect(parseSubscriberAddress(input).text).toBe(text)
  })

  it('still says what is wrong with text that is no address at all', () => {
    expect(() => parseSubscriberAddress('10.0.0.300')).toThrow(/not an IPv4 or IPv6/)
  })

  it('agrees with a brute-force check on random prefixes', () => {
    const forbiddenV4 = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4']
    const ranges = forbiddenV4.map((text) => prefixRange(parseIpPrefix(text)))
    for (let i = 0; i < 2000; i++) {
      const value = Math.floor(Math.random() * 2 ** 32)
      const length = 8 + Math.floor(Math.random() * 25)
      const network = length === 0 ? 0 : (value >>> (32 - length)) * 2 ** (32 - length)
      const text = `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${length}`
      const prefix = parseIpPrefix(text)
      const { start, end } = prefixRange(prefix)
      const hits = ranges.some((r) => r.start <= end && start <= r.end)
      expect(addressRefusal(prefix) !== undefined, text).toBe(hits)
    }
  })
})

describe('prefixRange', () => {
  it('spans the prefix', () => {
    expect(prefixRange(parseIpPrefix('10.0.1.0/24'))).toEqual({ start: 0x0a000100n, end: 0x0a0001ffn })
    expect(prefixRange(parseIpPrefix('2001:db8::/127'))).toEqual({
      start: 0x20010db8000000000000000000000000n,
      end: 0x20010db8000000000000000000000001n,
    })
  })
})
