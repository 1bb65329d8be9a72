/**
 * Receipts and auto top-up declines, decided in the transaction that books the money: a refused
 * (rolled-back) sale decides nothing, and each top-up, invoice and payment is decided once, by id.
 */
import { formatMoney } from '@capd/protocol'
import type { DomainEnv } from '../domain/env.js'
import type {
  AutoTopUpDecline,
  Invoice,
  Payment,
  PaymentMethod,
  Subscriber,
  TopUp,
} from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { pauseFacts, pauseWords } from '../ui/auto-topup-pause.js'
import { bytes, date } from '../ui/format.js'
import { queueNotification } from './queue.js'
import { subscriberFiguresIn } from './vars.js'

export async function notifyTopUpApplied(tx: Tx, env: DomainEnv, topUp: TopUp): Promise<void> {
  const sub = await tx.subscribers.get(topUp.subscriberId)
  if (!sub) return
  const figures = await subscriberFiguresIn(tx, env, sub)
  if (!figures) return
  await queueNotification(tx, env, {
    key: `topup.applied/${topUp.id}`,
    event: topUp.source === 'auto' ? 'auto_topup.applied' : 'topup.applied',
    subscriberId: sub.id,
    vars: {
      ...figures.vars,
      size: bytes(topUp.bytes),
      price: formatMoney(topUp.price),
      validUntil: date(topUp.expiresAtMs - 1, env.timeZone),
    },
    data: {
      ...figures.data,
      topUpId: topUp.id,
      bytes: topUp.bytes,
      priceAmount: topUp.price.amount,
      currency: topUp.price.currency,
      expiresAt: new Date(topUp.expiresAtMs).toISOString(),
      source: topUp.source,
    },
  })
}

/**
 * The customer hears why, once per period and reason. A wait for the minimum interval is not
 * news: the top-up follows by itself when it ends (audited all the same).
 */
export async function notifyAutoTopUpDeclined(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  decline: AutoTopUpDecline,
): Promise<void> {
  const settings = sub.autoTopUp
  if (decline.reason === 'min_interval' || !settings) return
  const figures = await subscriberFiguresIn(tx, env, sub)
  if (!figures) return
  const pack = await tx.topUpPlans.get(settings.topUpPlanId)
  const reason = pauseWords(pauseFacts(settings, decline, sub, pack, env.currency), env.timeZone)
  await queueNotification(tx, env, {
    key: `auto_topup.declined/${sub.id}/${decline.periodStartMs}/${decline.reason}`,
    event: 'auto_topup.declined',
    subscriberId: sub.id,
    vars: { ...figures.vars, reason, balance: formatMoney(sub.balance) },
    data: { ...figures.data, reason: decline.reason, balanceAmount: sub.balance.amount },
  })
}

/** An invoice issued (pro-formas and credit notes are not receipts). */
export async function notifyInvoiceIssued(tx: Tx, env: DomainEnv, invoice: Invoice): Promise<void> {
  if ((invoice.kind ?? 'invoice') !== 'invoice') return
  const sub = await tx.subscribers.get(invoice.subscriberId)
  if (!sub) return
  const figures = await subscriberFiguresIn(tx, env, sub)
  if (!figures) return
  await queueNotification(tx, env, {
    key: `invoice.issued/${invoice.id}`,
    event: 'invoice.issued',
    subscriberId: sub.id,
    vars: { ...figures.vars, invoiceNumber: invoice.number, total: formatMoney(invoice.total) },
    data: {
      ...figures.data,
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      totalAmount: invoice.total.amount,
      currency: invoice.total.currency,
      status: invoice.status,
    },
  })
}

const METHOD_WORDS: Record<PaymentMethod, string> = {
  balance: 'account balance',
  card: 'card',
  mpesa: 'M-Pesa',
  cash: 'cash',
  bank_transfer: 'bank transfer',
  other: 'other',
}

export async function notifyPaymentReceived(tx: Tx, env: DomainEnv, payment: Payment): Promise<void> {
  const sub = await tx.subscribers.get(payment.subscriberId)
  if (!sub) return
  const figures = await subscriberFiguresIn(tx, env, sub)
  if (!figures) return
  await queueNotification(tx, env, {
    key: `payment.received/${payment.id}`,
    event: 'payment.received',
    subscriberId: sub.id,
    vars: {
      ...figures.vars,
      amount: formatMoney(payment.amount),
      method: payment.method ? METHOD_WORDS[payment.method] : 'recorded by the ISP',
    },
    data: {
      ...figures.data,
      paymentId: payment.id,
      amount: payment.amount.amount,
      currency: payment.amount.currency,
      method: payment.method ?? null,
    },
  })
}
