/** Top-ups: raise a subscriber's limit for the period, with an invoice, charged to it or to the balance. */
import { formatMoney, type Money } from '@capd/protocol'
import { newId } from '../ids.js'
import { notifyTopUpApplied } from '../notify/money-events.js'
import type {
  Invoice,
  OperatorChargeTo,
  Order,
  PaymentMethod,
  Subscriber,
  TaxRule,
  TopUp,
  TopUpSource,
} from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { issueDocument } from './invoices.js'
import { refreshLimit } from './limits.js'
import { requireLive, requireNotSuspended } from './live-subscriber.js'
import { requireCurrency } from './money-rules.js'
import { requireActiveTopUpPlan } from './plans.js'
import { notFound, Refusal } from './refusal.js'
import { grossOf, invoiceLine } from './tax.js'
import { settleOverUsage } from './topup-over-usage.js'
import { currentPeriod } from './usage.js'

const DAY_MS = 86_400_000

/**
 * `compensateOverUsage` (absent = true): usage already past every bucket is drawn from the new
 * top-up; false starts it whole and forgives that over-usage (see Allowance.forgivenBytes).
 */
export type TopUpInput = (
  | { topUpPlanId: string; chargeTo: OperatorChargeTo; description?: string }
  | {
      bytes: number
      price: Money
      validityDays?: number
      description?: string
      tax?: TaxRule
      chargeTo: OperatorChargeTo
    }
  /** What a paid order bought, as it was when the order was placed. */
  | { chargeTo: 'order'; order: Order; method: PaymentMethod }
) & { compensateOverUsage?: boolean }

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
  // A paid order is applied whatever happened since it was placed: the money was taken (placeOrder
  // refused it for a suspended or deleted subscriber). Anything else is a new sale.
  if (input.chargeTo !== 'order') {
    requireLive(sub)
    if (source !== 'operator') requireNotSuspended(sub)
  }
  const offer = await resolveOffer(tx, input)
  requireCurrency(env, offer.price.currency, 'price')
  const charged = grossOf(offer.price, offer.tax)

  const now = env.clock.now()
  const period = currentPeriod(sub, now, env.timeZone)
  const expiresAtMs =
    offer.validityDays === undefined
      ? period.endMs
      : Math.min(period.endMs, now + offer.validityDays * DAY_MS)
  const topUpId = newId('top', now)

  let subscriber = sub
  if (input.chargeTo === 'balance') {
    subscriber = await chargeBalance(tx, env, sub, charged, topUpId)
  }
  const order = input.chargeTo === 'order' ? input.order : undefined
  const paidWith =
    input.chargeTo === 'order' ? input.method : input.chargeTo === 'balance' ? 'balance' : undefined
  const invoice = await issueDocument(tx, env, {
    kind: 'invoice',
    subscriberId,
    topUpId,
    lines: [invoiceLine(offer.description, offer.price, offer.tax)],
    ...(order ? { orderId: order.id } : {}),
    ...(order?.proformaId ? { proformaId: order.proformaId } : {}),
    ...(paidWith ? { paid: { method: paidWith } } : {}),
  })
  const topUp: TopUp = {
    id: topUpId,
    subscriberId,
    bytes: offer.bytes,
    price: charged,
    source,
    chargeTo: input.chargeTo,
    ...(offer.topUpPlanId ? { topUpPlanId: offer.topUpPlanId } : {}),
    createdAtMs: now,
    periodStartMs: period.startMs,
    expiresAtMs,
    invoiceId: invoice.id,
    ...(order ? { orderId: order.id } : {}),
    actor,
  }
  await tx.topUps.insertNew(topUp)
  subscriber = await settleOverUsage(tx, env, subscriber, topUp, input.compensateOverUsage ?? true)
  await audit(tx, env, actor, 'topup.create', 'subscriber', subscriberId, {
    topUpId,
    bytes: topUp.bytes,
    price: topUp.price,
    source,
    chargeTo: input.chargeTo,
    ...(order ? { orderId: order.id } : {}),
  })
  // The limit grew: a new limitVersion, so the push that follows the commit supersedes older ones.
  subscriber = await refreshLimit(tx, env, subscriber)
  await notifyTopUpApplied(tx, env, topUp)
  return { topUp, invoice, subscriber }
}

interface Offer {
  bytes: number
  /** The listed price; what is charged adds the tax when the rule excludes it. */
  price: Money
  tax?: TaxRule
  validityDays?: number
  description: string
  topUpPlanId?: string
}

async function resolveOffer(tx: Tx, input: TopUpInput): Promise<Offer> {
  if (input.chargeTo === 'order') {
    const item = input.order.item
    if (item.kind !== 'topup') throw new Error(`order ${input.order.id} does not buy a top-up`)
    const { kind: _, ...offer } = item
    return offer
  }
  if ('topUpPlanId' in input) {
    const plan = await requireActiveTopUpPlan(tx, input.topUpPlanId)
    return {
      bytes: plan.bytes,
      price: plan.price,
      ...(plan.tax ? { tax: plan.tax } : {}),
      ...(plan.validityDays !== undefined ? { validityDays: plan.validityDays } : {}),
      description: input.description ?? `Data top-up: ${plan.name}`,
      topUpPlanId: plan.id,
    }
  }
  return {
    bytes: input.bytes,
    price: input.price,
    ...(input.tax ? { tax: input.tax } : {}),
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
  await tx.ledger.insertNew({
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
