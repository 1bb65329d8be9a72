/** Login throttling at the doors: one client's failures never lock the owner out, and a forged forwarding header escapes nothing. */
import { describe, expect, it } from 'vitest'
import { forwardedClientAddress } from '../http/client-address.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, testApp } from '../testing/test-app.js'
import { LoginThrottle } from './login-throttle.js'

const ADMIN = { username: 'admin', password: TEST_ADMIN_PASSWORD }

/** A throttle that records its delays instead of sleeping them. */
function recordingThrottle() {
  const slept: number[] = []
  const throttle = new LoginThrottle({ sleep: async (ms) => void slept.push(ms) })
  return { throttle, slept }
}

describe('login throttling at the doors', () => {
  it('lets the operator in from their own address after someone failed five times as admin elsewhere', async () => {
    const { throttle, slept } = recordingThrottle()
    const t = await testApp({ app: { operatorUi: { throttle } } })
    const attacker = new BrowserCaller(t.app)
    for (let i = 0; i < 6; i++) {
      await attacker.post(
        '/login',
        { username: 'admin', password: `guess-${i}` },
        { address: '198.51.100.66' },
      )
    }
    expect((await attacker.post('/login', ADMIN, { address: '198.51.100.66' })).status).toBe(429)
    const owner = await new BrowserCaller(t.app).post('/login', ADMIN, { address: '203.0.113.10' })
    expect(owner.status).toBe(303)
    // The owner waited: the login had been guessed at.
    expect(slept.length).toBeGreaterThan(0)
  })

  it('lets the customer in from their own address after someone failed five times on their login', async () => {
    const { throttle } = recordingThrottle()
    const t = await testApp({ app: { portal: { throttle } } })
    const { plan, agent } = await t.seed()
    await t.call('POST', '/subscribers', {
      name: 'Carla',
      login: 'carla',
      password: 'carla-secret-1',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.9',
    })
    const login = (password: string, address: string) =>
      t.app.request(
        new Request('http://localhost/portal/api/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login: 'carla', password }),
        }),
        undefined,
        { incoming: { socket: { remoteAddress: address } } },
      )
    for (let i = 0; i < 6; i++) await login(`guess-${i}`, '2001:db8:66::1')
    expect((await login('carla-secret-1', '2001:db8:66::99')).status).toBe(429)
    expect((await login('carla-secret-1', '2001:db8:77::1')).status).toBe(200)
  })

  it('throttles a client behind the proxy however it rotates the X-Forwarded-For entries it writes', async () => {
    const { throttle } = recordingThrottle()
    const clientAddress = forwardedClientAddress('X-Forwarded-For')
    const t = await testApp({ app: { operatorUi: { throttle, clientAddress } } })
    const browser = new BrowserCaller(t.app)
    const statuses: number[] = []
    for (let i = 0; i < 25; i++) {
      // The client writes the first entries; the proxy appends the address it saw.
      const forged = `10.${i}.${(i * 31) % 256}.${i % 7}, 172.16.${i}.1`
      const headers = { 'x-forwarded-for': `${forged}, 198.51.100.77` }
      statuses.push(
        (await browser.post('/login', { username: `user${i}`, password: 'guess' }, { headers })).status,
      )
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401))
    expect(statuses.slice(20)).toEqual(Array(5).fill(429))
    // Another client behind the same proxy is not held up.
    const owner = await new BrowserCaller(t.app).post('/login', ADMIN, {
      headers: { 'x-forwarded-for': '198.51.100.77, 203.0.113.10' },
    })
    expect(owner.status).toBe(303)
  }, 60_000)
})
