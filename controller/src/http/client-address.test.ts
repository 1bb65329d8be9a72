import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { forwardedClientAddress } from './client-address.js'

async function clientOf(read: ReturnType<typeof forwardedClientAddress>, forwardedFor?: string) {
  const app = new Hono()
  app.get('/', (c) => c.text(read(c) ?? '(none)'))
  const headers: Record<string, string> =
    forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }
  const res = await app.request('/', { headers }, { incoming: { socket: { remoteAddress: '192.0.2.1' } } })
  return res.text()
}

describe('client address behind proxies', () => {
  it('believes the entry the nearest proxy added, whatever the client wrote before it', async () => {
    const read = forwardedClientAddress('X-Forwarded-For')
    for (let i = 0; i < 20; i++) {
      const forged = Array.from({ length: i % 4 }, (_, j) => `10.${i}.${j}.1`).join(', ')
      expect(await clientOf(read, forged ? `${forged}, 203.0.113.5` : '203.0.113.5')).toBe('203.0.113.5')
    }
  })

  it('counts back over the trusted proxies', async () => {
    const read = forwardedClientAddress('X-Forwarded-For', 2)
    expect(await clientOf(read, 'forged, 203.0.113.5, 10.0.0.2')).toBe('203.0.113.5')
    expect(await clientOf(read, '203.0.113.5')).toBe('203.0.113.5')
  })

  it('takes the socket peer when no proxy added the header', async () => {
    expect(await clientOf(forwardedClientAddress('X-Forwarded-For'))).toBe('192.0.2.1')
    expect(await clientOf(forwardedClientAddress('X-Forwarded-For'), ' , ')).toBe('192.0.2.1')
  })

  it('drops the port a proxy writes with the address: each connection has a new one, the client does not', async () => {
    // Azure Application Gateway, for one, appends `address:port`; a port in the throttle's key would
    // make every new connection of one client a new client.
    const read = forwardedClientAddress('X-Forwarded-For')
    for (let i = 0; i < 20; i++) {
      const port = 1024 + Math.floor(Math.random() * 64_000)
      expect(await clientOf(read, `10.0.0.1:${i}, 203.0.113.5:${port}`)).toBe('203.0.113.5')
      expect(await clientOf(read, `forged, [2001:db8::7]:${port}`)).toBe('2001:db8::7')
    }
    expect(await clientOf(read, '[2001:db8::7]')).toBe('2001:db8::7')
    // Not an address with a port: left as it is.
    for (const odd of ['2001:db8::7', 'unknown', '[not-an-address]:80', '203.0.113.5:x'])
      expect(await clientOf(read, odd)).toBe(odd)
  })

  it('refuses a hop count that is not a whole number of at least 1', () => {
    for (const hops of [0, -1, 1.5, Number.NaN])
      expect(() => forwardedClientAddress('X-Forwarded-For', hops)).toThrow()
  })
})
