/**
 * A customer's purchase through a provider (card, M-Pesa, the office), for the portal's JSON
 * API and its forms alike: the way to pay checked against what is offered, then checkout.
 */
import type { Context } from 'hono'
import type { ApiDeps } from '../api/app-env.js'
import type { OrderRequest } from '../domain/orders.js'
import { Refusal } from '../domain/refusal.js'
import { type CheckoutResult, checkout } from '../payments/checkout.js'
import { type ProviderWay, requireProvider } from '../payments/ways-to-pay.js'
import type { EnforcementState } from '../store/entities.js'
import { cameOverHttps } from './request-origin.js'

export interface ProviderPurchase {
  subscriberId: string
  actor: string
  request: OrderRequest
  way: ProviderWay
  phone?: string | undefined
  idempotency: { scope: string; hash: string }
}

/** Where the customer comes back to: the order's page, told the state they paid in (for "Access restored"). */
export const orderPagePath = (orderId: string, was?: EnforcementState | string) =>
  `/portal/orders/${encodeURIComponent(orderId)}${was ? `?was=${encodeURIComponent(was)}` : ''}`

export async function buyThrough(c: Context, deps: ApiDeps, p: ProviderPurchase): Promise<CheckoutResult> {
  const { store, env } = deps
  const { provider, sub } = await store.transact(async (tx) => ({
    provider: await requireProvider(tx, deps, p.way),
    sub: await tx.subscribers.get(p.subscriberId),
  }))
  if (!sub) throw new Error(`portal session for missing subscriber ${p.subscriberId}`)
  const payer = provider.payerField ? (p.phone ?? phoneOf(sub)) : undefined
  if (provider.payerField && !payer) {
    throw new Refusal('invalid_request', `Enter the ${provider.payerField.label.toLowerCase()} to pay from.`)
  }
  const base = baseUrl(c, deps)
  return checkout(
    { store, env, logger: deps.logger },
    {
      subscriberId: p.subscriberId,
      actor: p.actor,
      request: p.request,
      provider,
      idempotency: p.idempotency,
      payer,
      urls: (order, secret) => ({
        returnUrl: `${base}${orderPagePath(order.id, sub.state)}`,
        cancelUrl: `${base}${orderPagePath(order.id, sub.state)}`,
        callbackUrl: `${base}/webhooks/${provider.id}/callback/${encodeURIComponent(order.id)}/${secret}`,
      }),
    },
  )
}

/** The public URL if configured, else the origin the customer's browser used. */
export function baseUrl(c: Context, deps: Pick<ApiDeps, 'publicUrl'>): string {
  if (deps.publicUrl) return deps.publicUrl
  const url = new URL(c.req.url)
  const scheme = cameOverHttps(c) ? 'https' : url.protocol.replace(':', '')
  const host = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim() || url.host
  return `${scheme}://${host}`
}

/** The subscriber's phone number, once subscribers have one (E.164). */
export function phoneOf(sub: object): string | undefined {
  const phone = (sub as { phone?: unknown }).phone
  return typeof phone === 'string' && phone !== '' ? phone : undefined
}
