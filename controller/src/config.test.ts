import { describe, expect, it } from 'vitest'
import { parseControllerArgs } from './config.js'

describe('controller command line', () => {
  it('takes the database from --db, else CAPD_DATABASE_URL, else none (the data dir)', () => {
    expect(parseControllerArgs([]).db).toBeUndefined()
    expect(parseControllerArgs([], { CAPD_DATABASE_URL: '' }).db).toBeUndefined()
    expect(parseControllerArgs([], { CAPD_DATABASE_URL: 'postgres://a@h/x' }).db).toBe('postgres://a@h/x')
    expect(
      parseControllerArgs(['--db', 'postgres://b@h/y'], { CAPD_DATABASE_URL: 'postgres://a@h/x' }).db,
    ).toBe('postgres://b@h/y')
  })

  it('takes the log level from --log-level, else CAPD_LOG_LEVEL, else info; refuses an unknown one', () => {
    expect(parseControllerArgs([])['log-level']).toBe('info')
    expect(parseControllerArgs([], { CAPD_LOG_LEVEL: 'debug' })['log-level']).toBe('debug')
    expect(parseControllerArgs(['--log-level', 'warn'], { CAPD_LOG_LEVEL: 'debug' })['log-level']).toBe(
      'warn',
    )
    expect(() => parseControllerArgs(['--log-level', 'loud'])).toThrow(/--log-level/)
    expect(() => parseControllerArgs([], { CAPD_LOG_LEVEL: 'loud' })).toThrow(/--log-level/)
  })

  it('takes the public URL from --public-url, else CAPD_PUBLIC_URL; refuses one that is not http(s)', () => {
    expect(parseControllerArgs([])['public-url']).toBeUndefined()
    const env = { CAPD_PUBLIC_URL: 'https://isp.example.net/' }
    expect(parseControllerArgs([], env)['public-url']).toBe('https://isp.example.net')
    expect(parseControllerArgs(['--public-url', 'http://10.0.0.1:8080'], env)['public-url']).toBe(
      'http://10.0.0.1:8080',
    )
    for (const bad of ['isp.example.net', 'ftp://isp.example.net', 'javascript:alert(1)']) {
      expect(() => parseControllerArgs(['--public-url', bad])).toThrow(/--public-url/)
    }
  })

  it('reads the options of the contract', () => {
    const config = parseControllerArgs(['--port', '9090', '--data', '/var/lib/capd', '--tz', 'Europe/Berlin'])
    expect(config).toMatchObject({ port: 9090, data: '/var/lib/capd', tz: 'Europe/Berlin', currency: 'USD' })
    expect(parseControllerArgs(['--client-address-header', 'X-Forwarded-For'])['client-address-header']).toBe(
      'X-Forwarded-For',
    )
    expect(parseControllerArgs(['--snapshot-after-log-bytes', '4096'])['snapshot-after-log-bytes']).toBe(4096)
    expect(parseControllerArgs([])['trusted-proxy-hops']).toBe(1)
    expect(parseControllerArgs(['--trusted-proxy-hops', '2'])['trusted-proxy-hops']).toBe(2)
  })

  it('serves metrics only when --metrics-listen gives a HOST:PORT, and says what is wrong with a bad one', () => {
    expect(parseControllerArgs([])['metrics-listen']).toBeUndefined()
    expect(parseControllerArgs(['--metrics-listen', '127.0.0.1:9469'])['metrics-listen']).toEqual({
      host: '127.0.0.1',
      port: 9469,
    })
    expect(parseControllerArgs(['--metrics-listen', '[::1]:9469'])['metrics-listen']).toEqual({
      host: '::1',
      port: 9469,
    })
    for (const bad of ['9469', '127.0.0.1:99999', 'localhost']) {
      expect(() => parseControllerArgs(['--metrics-listen', bad])).toThrow(
        /--metrics-listen: .*(HOST:PORT|port)/,
      )
    }
  })

  it('serves HTTPS with --tls-cert and --tls-key given together, plain HTTP with neither', () => {
    expect(parseControllerArgs([])).not.toHaveProperty('tls-cert')
    const both = parseControllerArgs(['--tls-cert', '/etc/capd/cert.pem', '--tls-key', '/etc/capd/key.pem'])
    expect(both).toMatchObject({ 'tls-cert': '/etc/capd/cert.pem', 'tls-key': '/etc/capd/key.pem' })
    for (const one of [
      ['--tls-cert', '/etc/capd/cert.pem'],
      ['--tls-key', '/etc/capd/key.pem'],
    ]) {
      expect(() => parseControllerArgs(one)).toThrow(/--tls-cert: goes with --tls-key: give both/)
    }
    expect(() => parseControllerArgs(['--tls-cert', '', '--tls-key', '/k'])).toThrow(/--tls-cert/)
  })

  it('keeps audit rows and idle usage marks 400 days unless told otherwise', () => {
    expect(parseControllerArgs([])['retention-days']).toBe(400)
    expect(parseControllerArgs(['--retention-days', '730'])['retention-days']).toBe(730)
  })

  it.each([
    [['--port', 'eighty'], /--port/],
    [['--port', '70000'], /--port/],
    [['--tz', 'Mars/Olympus'], /--tz: unknown time zone: Mars\/Olympus/],
    [['--currency', 'dollars'], /--currency/],
    [['--retention-days', '7'], /--retention-days: must be from 30 to 3650 days/],
    [['--retention-days', 'forever'], /--retention-days/],
    [['--colour', 'red'], /Unknown option '--colour'/],
    [['--client-address-header', 'X Forwarded'], /--client-address-header: must be an HTTP header name/],
    [['--snapshot-after-log-bytes', '0'], /--snapshot-after-log-bytes/],
    [['--snapshot-after-log-bytes', '1.5'], /--snapshot-after-log-bytes/],
    [['--trusted-proxy-hops', '0'], /--trusted-proxy-hops/],
    [['--trusted-proxy-hops', 'one'], /--trusted-proxy-hops/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseControllerArgs(argv)).toThrow(message)
  })
})
