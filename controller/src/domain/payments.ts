/** Payments credit the account balance; top-ups and auto top-ups may then be charged to it. */
import type { Money } from '@capd/protocol'
import { newId } from '../ids.js'
import { notifyPaymentReceived } from '../notify/money-events.js'
import type { Payment, PaymentMethod, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { requireLive } from './live-subscriber.js'
import { requireCurrency } from './money-rules.js'
import { notFound, Refusal } from './refusal.js'

export interface PaymentInput {
  amount: Money
  reference?: string
  /** Absent: money an operator credits (older API callers). */
  method?: PaymentMethod
  orderId?: string
  providerRef?: string
}

export async function recordPayment(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  subscriberId: string,
  input: PaymentInput,
): Promise<{ payment: Payment; subscriber: Subscriber }> {
  const sub = await tx.subscribers.get(subscriberId)
  if (!sub) throw notFound('subscriber', subscriberId)
  // A paid order's money is booked even for a subscriber deleted since; nothing else is taken.
  if (input.orderId === undefined) requireLive(sub)
  requireCurrency(env, input.amount.currency, 'amount')
  const now = env.clock.now()
  const payment: Payment = { id: newId('pay', now), subscriberId, ...input, createdAtMs: now, actor }
  const balance = { amount: sub.balance.amount + input.amount.amount, currency: sub.balance.currency }
  if (!Number.isSafeInteger(balance.amount))
    throw new Refusal('amount_too_large', 'the balance would overflow')
  const subscriber = { ...sub, balance }
  await tx.payments.insert(payment)
  await tx.subscribers.update(subscriber)
  await tx.ledger.insert({
    id: newId('led', now),
    subscriberId,
    atMs: now,
    kind: 'payment',
    amount: input.amount,
    balanceAfter: balance,
    ref: payment.id,
  })
  await audit(tx, env, actor, 'payment.create', 'subscriber', subscriberId, input)
  await notifyPaymentReceived(tx, env, payment)
  return { payment, subscriber }
}
