import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { placeOrder } from '../domain/orders.js'
import { ChangeFeed } from '../live/change-feed.js'
import { testApp } from '../testing/test-app.js'
import { OfflineProvider } from './offline.js'
import type { PaymentProvider } from './provider.js'
import { buildProviders, providerMap } from './providers.js'

/** A provider whose webhook answers with the SHA-256 of the exact bytes it got, as a signature check would hash them. */
class EchoProvider implements PaymentProvider {
  readonly id = 'stripe' as const
  readonly label = 'Card'
  async start() {
    return {}
  }
  webhooks() {
    const routes = new Hono()
    routes.post('/', async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex')
      return c.json({ digest, length: bytes.length })
    })
    return routes
  }
}

async function app(bodyLimitBytes?: number) {
  const t = await testApp()
  const changes = new ChangeFeed()
  const a = createApp(
    {
      store: t.store,
      env: t.env,
      isAgentConnected: () => false,
      changes,
      payments: providerMap([new EchoProvider()]),
    },
    bodyLimitBytes === undefined ? {} : { bodyLimitBytes },
  )
  return { ...t, app: a, changes }
}

describe('payment provider wiring', () => {
  it('mounts webhooks at /webhooks/<id> without auth, handing them the exact raw bytes', async () => {
    const { app: a } = await app()
    for (let i = 0; i < 20; i++) {
      // Random bytes, not valid UTF-8 or JSON: nothing on the way may parse or re-encode them.
      const body = crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 4000)))
      const res = await a.request('/webhooks/stripe', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
      expect(res.status).toBe(200)
      const want = Buffer.from(await crypto.subtle.digest('SHA-256', body)).toString('hex')
      expect(await res.json()).toEqual({ digest: want, length: body.length })
    }
  })

  it('keeps the app-wide body cap in front of the webhooks', async () => {
    const { app: a } = await app(1024)
    const res = await a.request('/webhooks/stripe', { method: 'POST', body: new Uint8Array(2048) })
    expect(res.status).toBe(413)
  })

  it("tells live pages of an order's change even when no limit moved", async () => {
    const t = await app()
    const { subscriber, topUpPlan } = await t.seed()
    const heard: unknown[] = []
    t.changes.subscribe((change) => heard.push(change))
    await t.store.transact((tx) =>
      placeOrder(tx, t.env, 'x', subscriber.id, {
        request: { kind: 'topup', topUpPlanId: topUpPlan.id },
        provider: 'offline',
      }),
    )
    expect(heard).toContainEqual({ kind: 'subscribers', ids: [subscriber.id] })
  })

  it('always builds the offline provider and refuses two providers with one id', () => {
    expect([...buildProviders({}, { currency: 'USD' }).keys()]).toEqual(['offline'])
    expect(() => providerMap([new OfflineProvider(), new OfflineProvider()])).toThrow(/two payment providers/)
  })
})
