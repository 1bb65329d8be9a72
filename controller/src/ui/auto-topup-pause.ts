/**
 * Why auto top-up is paused, in one set of words for the portal, the operator's subscriber page
 * and the notification: "monthly maximum of 2 reached", "not enough balance (KES 20 of KES 50)".
 */
import type { Money } from '@capd/protocol'
import type { DomainEnv } from '../domain/env.js'
import { grossOf } from '../domain/tax.js'
import { currentPeriod } from '../domain/usage.js'
import type { AutoTopUpDecline, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { dateTime, money } from './format.js'

export interface AutoTopUpPause {
  reason: AutoTopUpDecline['reason']
  maxPerPeriod: number
  /** The spend cap in the store's currency, when one is set. */
  spendCap?: Money | undefined
  balance: Money
  /** What the next one would charge (tax included), if its plan still exists. */
  price?: Money | undefined
  retryAtMs?: number | undefined
  /** Whether the customer may change the settings in the portal. */
  customerMayChange: boolean
}

/** The pause in force this period, if auto top-up is on and its last attempt was declined. */
export async function autoTopUpPauseOf(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
): Promise<AutoTopUpPause | undefined> {
  const settings = sub.autoTopUp
  const decline = sub.autoTopUpDeclined
  if (!settings?.enabled || !decline) return undefined
  if (decline.periodStartMs !== currentPeriod(sub, env.clock.now(), env.timeZone).startMs) return undefined
  return pauseFacts(settings, decline, sub, await tx.topUpPlans.get(settings.topUpPlanId), env.currency)
}

export function pauseFacts(
  settings: NonNullable<Subscriber['autoTopUp']>,
  decline: AutoTopUpDecline,
  sub: Subscriber,
  pack: { price: Money; tax?: Parameters<typeof grossOf>[1] } | undefined,
  currency: string,
): AutoTopUpPause {
  return {
    reason: decline.reason,
    maxPerPeriod: settings.maxPerPeriod,
    spendCap:
      settings.spendCapPerPeriod === undefined ? undefined : { amount: settings.spendCapPerPeriod, currency },
    balance: sub.balance,
    price: pack ? grossOf(pack.price, pack.tax) : undefined,
    retryAtMs: decline.retryAtMs,
    customerMayChange: settings.customerMayChange ?? false,
  }
}

/** The reason after "Auto top-up paused: ", without the advice (each page gives its own). */
export function pauseWords(pause: AutoTopUpPause, timeZone: string): string {
  switch (pause.reason) {
    case 'max_per_period':
      return `monthly maximum of ${pause.maxPerPeriod} reached`
    case 'spend_cap':
      return pause.spendCap
        ? `spend limit of ${money(pause.spendCap)} for this period reached`
        : 'spend limit for this period reached'
    case 'insufficient_balance':
      return pause.price
        ? `not enough balance (${money(pause.balance)} of ${money(pause.price)})`
        : `not enough balance (${money(pause.balance)})`
    case 'plan_unavailable':
      return 'the chosen top-up plan is no longer on sale'
    case 'min_interval':
      return pause.retryAtMs === undefined
        ? 'the last one was only minutes ago'
        : `the last one was only minutes ago; it tries again at ${dateTime(pause.retryAtMs, timeZone)}`
  }
}

export const pauseSentence = (pause: AutoTopUpPause, timeZone: string) =>
  `Auto top-up paused: ${pauseWords(pause, timeZone)}`
