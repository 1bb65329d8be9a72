/** Top-ups: raise a subscriber's limit for the period, with an invoice, charged to it or to the balance. */
import { formatMoney, type Money } from '@capd/protocol'
import { newId } from '../ids.js'
import type { ChargeTo, Invoice, Subscriber, TopUp, TopUpSource } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { issueInvoice } from './invoices.js'
import { refreshLimit } from './limits.js'
import { requireLive } from './live-subscriber.js'
import { requireCurrency } from './money-rules.js'
import { requireActiveTopUpPlan } from './plans.js'
import { notFound, Refusal } from './refusal.js'
import { currentPeriod } from './usage.js'

const DAY_MS = 86_400_000

export type TopUpInput =
  | { topUpPlanId: string; chargeTo: ChargeTo }
  | { bytes: number; price: Money; validityDays?: number; description?: string; chargeTo: ChargeTo }

export interface TopUpResult {
  topUp: TopUp
  invoice: Invoice
  subscriber: Subscriber
}

export async function createTopUp(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  source: TopUpSource,
  subscriberId: string,
  input: TopUpInput,
): Promise<TopUpResult> {
  const sub = await tx.subscribers.get(subscriberId)
  if (!sub) throw notFound('subscriber', subscriberId)
  requireLive(sub)
  if (sub.suspension && source !== 'operator') {
    // An operator may still add one (it waits behind the suspension); the customer may not buy.
    throw new Refusal(
      'suspended',
      `subscriber ${subscriberId} is suspended (${sub.suspension.reason}); top-ups are not sold until it is resumed`,
    )
  }
  const offer = await resolveOffer(tx, input)
  requireCurrency(env, offer.price.currency, 'price')

  const now = env.clock.now()
  const period = currentPeriod(sub, now, env.timeZone)
  const expiresAtMs =
    offer.validityDays === undefined
      ? period.endMs
      : Math.min(period.endMs, now + offer.validityDays * DAY_MS)
  const topUpId = newId('top', now)

  let subscriber = sub
  if (input.chargeTo === 'balance') {
    subscriber = await chargeBalance(tx, env, sub, offer.price, topUpId)
  }
  const invoice = await issueInvoice(tx, env, {
    subscriberId,
    topUpId,
    description: offer.description,
    price: offer.price,
    paidWith: input.chargeTo === 'balance' ? 'balance' : undefined,
  })
  const topUp: TopUp = {
    id: topUpId,
    subscriberId,
    bytes: offer.bytes,
    price: offer.price,
    source,
    chargeTo: input.chargeTo,
    ...(offer.topUpPlanId ? { topUpPlanId: offer.topUpPlanId } : {}),
    createdAtMs: now,
    periodStartMs: period.startMs,
    expiresAtMs,
    invoiceId: invoice.id,
    actor,
  }
  await tx.topUps.insert(topUp)
  await audit(tx, env, actor, 'topup.create', 'subscriber', subscriberId, {
    topUpId,
    bytes: topUp.bytes,
    price: topUp.price,
    source,
    chargeTo: input.chargeTo,
  })
  // The limit grew: a new limitVersion, so the push that follows the commit supersedes older ones.
  subscriber = await refreshLimit(tx, env, subscriber)
  return { topUp, invoice, subscriber }
}

interface Offer {
  bytes: number
  price: Money
  validityDays?: number
  description: string
  topUpPlanId?: string
}

async function resolveOffer(tx: Tx, input: TopUpInput): Promise<Offer> {
  if ('topUpPlanId' in input) {
    const plan = await requireActiveTopUpPlan(tx, input.topUpPlanId)
    return {
      bytes: plan.bytes,
      price: plan.price,
      ...(plan.validityDays !== undefined ? { validityDays: plan.validityDays } : {}),
      description: `Data top-up: ${plan.name}`,
      topUpPlanId: plan.id,
    }
  }
  return {
    bytes: input.bytes,
    price: input.price,
    ...(input.validityDays !== undefined ? { validityDays: input.validityDays } : {}),
    description: input.description ?? 'Data top-up',
  }
}

async function chargeBalance(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  price: Money,
  topUpId: string,
): Promise<Subscriber> {
  if (sub.balance.amount < price.amount) {
    throw new Refusal(
      'insufficient_balance',
      `balance is ${formatMoney(sub.balance)}, the top-up costs ${formatMoney(price)}`,
    )
  }
  const now = env.clock.now()
  const balance = { amount: sub.balance.amount - price.amount, currency: sub.balance.currency }
  const updated = { ...sub, balance }
  await tx.subscribers.update(updated)
  await tx.ledger.insert({
    id: newId('led', now),
    subscriberId: sub.id,
    atMs: now,
    kind: 'topup_charge',
    amount: { amount: -price.amount, currency: price.currency },
    balanceAfter: balance,
    ref: topUpId,
  })
  return updated
}
