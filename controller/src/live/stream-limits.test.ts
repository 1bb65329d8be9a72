/** Live-update streams are capped per viewer: one customer or operator session cannot open streams without end. */
import { describe, expect, it } from 'vitest'
import { BrowserCaller } from '../testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, testApp } from '../testing/test-app.js'
import { MAX_STREAMS_PER_VIEWER } from './change-stream.js'

async function setup() {
  const t = await testApp()
  const { plan, agent } = await t.seed()
  await t.call('POST', '/subscribers', {
    name: 'Carla',
    login: 'carla',
    password: 'carla-secret-1',
    planId: plan.id,
    agentId: agent.id,
    address: '10.0.0.9',
  })
  return t
}

/** Opens `count` streams at `path` with `browser`'s cookies; returns their statuses and a way to close them. */
async function open(
  browser: BrowserCaller,
  app: Awaited<ReturnType<typeof setup>>['app'],
  path: string,
  count: number,
) {
  const open: Response[] = []
  const statuses: number[] = []
  for (let i = 0; i < count; i++) {
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const res = await app.request(new Request(`http://localhost${path}`, { headers: { cookie } }))
    statuses.push(res.status)
    if (res.status === 200) open.push(res)
    else await res.body?.cancel()
  }
  return {
    statuses,
    /** Goes away like a closed tab: the stream notices and gives its place back. */
    close: async () => {
      for (const res of open) await res.body?.cancel()
      await new Promise((r) => setTimeout(r, 20))
    },
  }
}

describe('live-update stream limits', () => {
  it('answers 429 past the limit of one customer, and takes a new stream once one closes', async () => {
    const t = await setup()
    const browser = new BrowserCaller(t.app)
    expect((await browser.post('/portal/login', { login: 'carla', password: 'carla-secret-1' })).status).toBe(
      303,
    )
    const first = await open(browser, t.app, '/portal/events', MAX_STREAMS_PER_VIEWER + 3)
    expect(first.statuses).toEqual([...Array(MAX_STREAMS_PER_VIEWER).fill(200), 429, 429, 429])
    // A second login of the same customer is the same viewer: the limit is per subscriber.
    const phone = new BrowserCaller(t.app)
    await phone.post('/portal/login', { login: 'carla', password: 'carla-secret-1' })
    expect((await open(phone, t.app, '/portal/events', 1)).statuses).toEqual([429])
    await first.close()
    const again = await open(browser, t.app, '/portal/events', 1)
    expect(again.statuses).toEqual([200])
    await again.close()
    expect(t.hub.changes.listenerCount).toBe(0)
  })

  it('caps one operator session, not the other operators', async () => {
    const t = await setup()
    const one = new BrowserCaller(t.app)
    const two = new BrowserCaller(t.app)
    for (const b of [one, two]) {
      expect((await b.post('/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })).status).toBe(303)
    }
    const a = await open(one, t.app, '/events', MAX_STREAMS_PER_VIEWER + 1)
    expect(a.statuses.at(-1)).toBe(429)
    const b = await open(two, t.app, '/events', 1)
    expect(b.statuses).toEqual([200])
    await a.close()
    await b.close()
  })
})
