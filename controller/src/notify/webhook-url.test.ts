import { randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isPrivateHost, webhookUrlProblem } from './webhook-url.js'

const hostOf = (url: string) => new URL(url).hostname

describe('webhook URLs', () => {
  it('takes https anywhere and plain http only to loopback or private hosts', () => {
    const fine = [
      'https://crm.example.com/capd',
      'https://203.0.113.7:8443/hook?x=1',
      'http://127.0.0.1:9000/hook',
      'http://localhost/hook',
      'http://LOCALHOST./hook',
      'http://10.1.2.3/hook',
      'http://172.16.0.1/',
      'http://172.31.255.255/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://100.127.255.254/',
      'http://169.254.10.10/',
      'http://[::1]:8080/',
      'http://[fd12:3456::1]/',
      'http://[fe80::1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://crm/hook',
      'http://crm.internal/hook',
      'http://billing.lan/',
      'http://nas.local/',
      'http://router.home.arpa/',
      'http://0x7f.1/',
    ]
    for (const url of fine) expect([url, webhookUrlProblem(url)]).toEqual([url, undefined])
  })

  it('refuses other schemes, credentials, fragments, public http and what is no URL', () => {
    const bad: [string, string][] = [
      ['http://crm.example.com/hook', 'must use https://'],
      ['http://203.0.113.7/hook', 'must use https://'],
      ['http://172.32.0.1/', 'must use https://'],
      ['http://100.128.0.1/', 'must use https://'],
      ['http://[2001:db8::1]/', 'must use https://'],
      ['http://[::ffff:8.8.8.8]/', 'must use https://'],
      ['http://local.example.com/', 'must use https://'],
      ['http://example.localhost.com/', 'must use https://'],
      ['ftp://crm.example.com/', 'must start with https://'],
      ['javascript:alert(1)', 'must start with https://'],
      ['https://user:pw@crm.example.com/', 'user name or password'],
      ['https://crm.example.com/#x', '#fragment'],
      ['crm.example.com/hook', 'must be a full URL'],
      ['', 'must be a full URL'],
      [`https://crm.example.com/${'a'.repeat(2000)}`, 'at most 2000'],
    ]
    for (const [url, words] of bad)
      expect([url, webhookUrlProblem(url)]).toEqual([url, expect.stringContaining(words)])
  })

  it('judges random IPv4 addresses by their ranges', () => {
    const inRange = (a: number, b: number) =>
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b < 32) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b < 128) ||
      (a === 169 && b === 254)
    for (let i = 0; i < 2000; i++) {
      // Half the time, near a range's edges.
      const a = i % 2 ? randomInt(256) : [10, 100, 127, 169, 172, 192][randomInt(6)]!
      const b =
        i % 2
          ? randomInt(256)
          : [15, 16, 31, 32, 63, 64, 127, 128, 167, 168, 169, 253, 254, 255][randomInt(14)]!
      const ip = `${a}.${b}.${randomInt(256)}.${randomInt(256)}`
      expect([ip, isPrivateHost(hostOf(`http://${ip}/`))]).toEqual([ip, inRange(a, b)])
      expect(webhookUrlProblem(`https://${ip}/`)).toBeUndefined()
    }
  })
})
