/** A KES controller with M-Pesa against the fake Daraja: buy the way the portal does, then call back. */
import { randomBytes } from 'node:crypto'
import { memoryLogger } from '@capd/log'
import type { SetupServer } from 'msw/node'
import { placeOrder, recordCheckout } from '../../domain/orders.js'
import { testApp } from '../../testing/test-app.js'
import { fakeDaraja, TEST_MPESA_CONFIG } from './fake-daraja-test-kit.js'
import type { MpesaConfig } from './mpesa-config.js'
import { MpesaProvider } from './mpesa-provider.js'

export const kes = (amount: number) => ({ amount, currency: 'KES' })

export async function mpesaFixture(
  server: SetupServer,
  options: { priceCents?: number; config?: Partial<MpesaConfig> } = {},
) {
  const t = await testApp({
    currency: 'KES',
    timeZone: 'Africa/Nairobi',
    nowMs: Date.parse('2026-12-01T07:15:09Z'),
  })
  const config = { ...TEST_MPESA_CONFIG, ...options.config }
  const daraja = fakeDaraja(config)
  server.use(...daraja.handlers)
  const plan = (await t.call('POST', '/plans', { name: 'Home', capBytes: 10e9, onCap: 'block' })).body
  const pack = (
    await t.call('POST', '/topup-plans', {
      name: '5 GB',
      bytes: 5e9,
      price: kes(options.priceCents ?? 10000),
    })
  ).body
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const newSubscriber = async (login: string, address: string) =>
    (
      await t.call('POST', '/subscribers', {
        name: login,
        login,
        planId: plan.id,
        agentId: agent.id,
        address,
      })
    ).body
  const sub = await newSubscriber('alice', '10.0.0.1')
  const { logger, lines: log } = memoryLogger()
  const deps = { store: t.store, env: t.env, logger }
  const provider = new MpesaProvider(config, { clock: t.clock })
  const webhooks = provider.webhooks(deps)

  /** What the checkout does: an order with a fresh callback secret, the push, the push's id stored. */
  async function buy(subscriberId = sub.id, phone = '0712 345 678') {
    const secret = randomBytes(24).toString('base64url')
    const placed = await t.store.transact((tx) =>
      placeOrder(tx, t.env, `customer:${subscriberId}`, subscriberId, {
        request: { kind: 'topup', topUpPlanId: pack.id },
        provider: 'mpesa',
        callbackSecret: secret,
      }),
    )
    const subscriber = t.data.subscribers[subscriberId]!
    const started = await provider.start({
      order: placed,
      subscriber,
      returnUrl: `${TEST_MPESA_CONFIG.publicUrl}/portal/orders/${placed.id}`,
      cancelUrl: `${TEST_MPESA_CONFIG.publicUrl}/portal`,
      callbackUrl: `${TEST_MPESA_CONFIG.publicUrl}/webhooks/mpesa/${placed.id}/${secret}`,
      payer: phone,
    })
    const order = await t.store.transact((tx) => recordCheckout(tx, t.env, placed.id, started))
    return { order, secret, checkoutRequestId: started.providerRef! }
  }

  /** Posts a callback to `/webhooks/mpesa[<prefix>]/<orderId>/<secret>` as Daraja would. */
  async function callback(orderId: string, secret: string, body: unknown, prefix = '') {
    const res = await webhooks.request(`${prefix}/${orderId}/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return { status: res.status, body: await res.json().catch(() => undefined) }
  }

  const check = (orderId: string) => provider.check(t.data.orders[orderId]!, deps)

  const rows = () => ({
    topUps: Object.values(t.data.topUps),
    invoices: Object.values(t.data.invoices).filter((i) => i.kind === 'invoice'),
    payments: Object.values(t.data.payments),
  })

  return { ...t, daraja, pack, sub, newSubscriber, provider, deps, log, buy, callback, check, rows }
}
