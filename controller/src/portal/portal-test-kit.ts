/** Route-test helpers for the portal: two customers with passwords and money, and a cookie-carrying caller. */
import type { Hono } from 'hono'
import { createApp } from '../app.js'
import { OfflineProvider } from '../payments/offline.js'
import type { PaymentProvider } from '../payments/provider.js'
import { providerMap } from '../payments/providers.js'
import { type Reply, TEST_TOKEN, testApp } from '../testing/test-app.js'

export const ANNA = { login: 'anna', password: 'anna-secret-1' }
export const BEN = { login: 'ben', password: 'ben-secret-22' }

export interface PortalCall {
  body?: unknown
  /** `capd_portal=…` as the browser would send it. */
  cookie?: string
  csrf?: string
  idempotencyKey?: string
  headers?: Record<string, string>
  /** The client address the node server would report. */
  address?: string
  url?: string
}

export interface PortalReply extends Reply {
  setCookie: string | null
}

export interface PortalKitOptions {
  /** Payment providers beyond the balance (the offline one is offered once instructions are set). */
  providers?: PaymentProvider[]
  publicUrl?: string
}

export async function portalKit(options: PortalKitOptions = {}) {
  const t = await testApp()
  const { plan, topUpPlan, agent } = await t.seed()
  /** Subscriber ids whose limits commits changed (see createApp), from the end of this setup on. */
  const limitsChanged: string[] = []
  const app: Hono = createApp({
    store: t.store,
    env: t.env,
    isAgentConnected: () => false,
    limitsChanged: (ids) => limitsChanged.push(...ids),
    payments: providerMap([new OfflineProvider(), ...(options.providers ?? [])]),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  })

  async function customer(who: { login: string; password: string }, address: string, balance: number) {
    const sub = (
      await t.call('POST', '/subscribers', {
        name: who.login,
        login: who.login,
        password: who.password,
        email: `${who.login}@example.net`,
        planId: plan.id,
        agentId: agent.id,
        address,
      })
    ).body
    if (balance > 0) {
      await t.call('POST', `/subscribers/${sub.id}/payments`, {
        amount: { amount: balance, currency: 'USD' },
      })
    }
    return sub
  }
  const anna = await customer(ANNA, '10.0.0.10', 2000)
  const ben = await customer(BEN, '10.0.0.20', 300)

  async function portal(method: string, path: string, call: PortalCall = {}): Promise<PortalReply> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...call.headers }
    if (call.cookie) headers.cookie = call.cookie
    if (call.csrf) headers['x-csrf-token'] = call.csrf
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey
    const init: RequestInit = { method, headers }
    if (call.body !== undefined)
      init.body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body)
    const nodeEnv = { incoming: { socket: { remoteAddress: call.address ?? '198.51.100.7' } } }
    const res = await app.request(
      new Request(call.url ?? `http://localhost${path}`, init),
      undefined,
      nodeEnv,
    )
    const text = await res.text()
    return {
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
      headers: res.headers,
      setCookie: res.headers.get('set-cookie'),
    }
  }

  /** Logs in and returns what a browser would keep: the cookie and the CSRF token. */
  async function login(who: { login: string; password: string }) {
    const reply = await portal('POST', '/portal/api/login', { body: who })
    if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${JSON.stringify(reply.body)}`)
    const cookie = reply.setCookie!.split(';')[0]!
    return { cookie, csrf: reply.body.csrfToken as string }
  }

  // What setting up the customers pushed is not what a test is about.
  limitsChanged.length = 0
  return { ...t, app, portal, login, limitsChanged, plan, topUpPlan, agent, anna, ben, TEST_TOKEN }
}
