/**
 * Checkout: an order placed once per idempotency key, its provider asked to collect outside any
 * transaction, and the provider's answer kept. The order is durable before the provider hears of
 * it, so whatever the provider confirms later names an order that exists.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from '@capd/log'
import type { Actor, DomainEnv } from '../domain/env.js'
import { idempotent } from '../domain/idempotency.js'
import { closeOrder } from '../domain/order-settlement.js'
import { type OrderRequest, placeOrder, recordCheckout, secretHash } from '../domain/orders.js'
import { Refusal } from '../domain/refusal.js'
import type { Order } from '../store/entities.js'
import type { Store } from '../store/store.js'
import { type PaymentProvider, StartInProgress } from './provider.js'

export interface CheckoutDeps {
  store: Store
  env: DomainEnv
  logger?: Logger | undefined
}

/** The URLs the provider is given, made once the order (and its callback secret) exists. */
export interface CheckoutUrls {
  returnUrl: string
  cancelUrl: string
  callbackUrl: string
}

export interface CheckoutInput {
  subscriberId: string
  actor: Actor
  request: OrderRequest
  provider: PaymentProvider
  /** The Idempotency-Key's scope and request hash (see domain/idempotency.ts). */
  idempotency: { scope: string; hash: string }
  urls: (order: Order, callbackSecret: string) => CheckoutUrls
  payer?: string | undefined
}

export interface CheckoutResult {
  order: Order
  /** True when the key was seen before: no second order was placed. */
  replayed: boolean
}

/** Checkouts under way in this process, by order id, so concurrent retries share one provider call. */
const underWay = new WeakMap<Store, Map<string, Promise<Order>>>()

export async function checkout(deps: CheckoutDeps, input: CheckoutInput): Promise<CheckoutResult> {
  const { store, env } = deps
  const secret = newSecret()
  // tx1: the order, and the key that names it, in one commit.
  const placed = await store.transact((tx) =>
    idempotent(tx, env, input.idempotency.scope, input.idempotency.hash, async () => {
      const order = await placeOrder(tx, env, input.actor, input.subscriberId, {
        request: input.request,
        provider: input.provider.id,
        callbackSecret: secret,
      })
      return { status: 201, body: { orderId: order.id } }
    }),
  )
  const { orderId } = placed.body as { orderId: string }
  const running = underWay.get(store) ?? new Map<string, Promise<Order>>()
  underWay.set(store, running)
  let started = running.get(orderId)
  if (!started) {
    started = startOnce(deps, input, orderId, placed.replayed ? undefined : secret).finally(() =>
      running.delete(orderId),
    )
    running.set(orderId, started)
  }
  return { order: await started, replayed: placed.replayed }
}

/** Asks the provider unless it has answered for this order before; a failed order answers as it did. */
async function startOnce(
  deps: CheckoutDeps,
  input: CheckoutInput,
  orderId: string,
  freshSecret: string | undefined,
): Promise<Order> {
  const { store, env } = deps
  let order = await store.transact(async (tx) => tx.orders.get(orderId))
  if (!order) throw new Error(`order ${orderId} vanished after it was placed`)
  if (order.status === 'failed' && !order.checkoutAtMs) throw failed(order.closedReason)
  if (order.status !== 'awaiting_payment' || order.checkoutAtMs !== undefined) return order
  let secret = freshSecret
  // A provider that cannot be asked twice for one order: the first request stands.
  if (secret === undefined && !input.provider.restartable) return order
  if (secret === undefined) {
    // A retry after a crash before the provider's answer was kept: the secret is known only as its
    // hash, so a new one replaces it (a provider that calls back is asked again with it anyway).
    const renewed = newSecret()
    const current = order
    order = await store.transact(async (tx) => {
      const updated: Order = { ...current, callbackHash: secretHash(renewed) }
      await tx.orders.update(updated)
      return updated
    })
    secret = renewed
  }
  let answer: Awaited<ReturnType<PaymentProvider['start']>>
  try {
    answer = await input.provider.start({
      order,
      subscriber: await subscriberOf(deps, order),
      ...input.urls(order, secret),
      ...(input.payer === undefined ? {} : { payer: input.payer }),
    })
  } catch (err) {
    // Another controller's start of this order may have kept its answer meanwhile: that stands,
    // and the order is not closed under the page the customer is paying on.
    if (err instanceof StartInProgress) {
      const now = await store.transact((tx) => tx.orders.get(orderId))
      if (now?.checkoutAtMs !== undefined) return now
      throw new Refusal('conflict', 'This payment is being started in another window: try again in a moment.')
    }
    const reason = err instanceof Refusal ? err.message : 'the payment provider could not be reached'
    if (!(err instanceof Refusal)) deps.logger?.warn({ err, orderId }, 'payment provider failed to start')
    const kept = await store.transact(async (tx) => {
      const now = await tx.orders.get(orderId)
      if (now?.checkoutAtMs !== undefined) return now
      await closeOrder(tx, env, orderId, 'failed', reason, input.actor)
      return undefined
    })
    if (kept) return kept
    throw failed(reason)
  }
  // tx2: what the provider answered (its handle and where to pay); an answer kept first stands.
  const kept = await store.transact((tx) => recordCheckout(tx, env, orderId, answer))
  if (answer.providerRef !== undefined && kept.providerRef !== answer.providerRef) {
    await abandon(deps, input.provider, orderId, answer.providerRef)
  }
  return kept
}

/** The losing start of a race between controllers: its page was never handed out; close it anyway. */
async function abandon(deps: CheckoutDeps, provider: PaymentProvider, orderId: string, ref: string) {
  try {
    await provider.abandon?.(ref)
  } catch (err) {
    deps.logger?.warn(
      { err, orderId, providerRef: ref },
      'could not close an unused checkout at the provider',
    )
  }
}

function failed(reason: string | undefined): Refusal {
  const said = reason && reason !== 'the payment provider could not be reached' ? ` ${reason}` : ''
  return new Refusal(
    'payment_failed',
    `The payment could not be started, and nothing was charged.${said} Try again, or choose another way to pay.`,
  )
}

async function subscriberOf({ store }: CheckoutDeps, order: Order) {
  const sub = await store.transact(async (tx) => tx.subscribers.get(order.subscriberId))
  if (!sub) throw new Error(`order ${order.id} for missing subscriber ${order.subscriberId}`)
  return sub
}

const newSecret = () => randomBytes(24).toString('base64url')
