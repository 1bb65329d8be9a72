/**
 * The figures a subscriber's message is made of, fixed when the notification is decided (an
 * e-mail sent an hour later still says what was true when it was decided). The ISP's name and
 * support contact are added when a message is rendered (see render.ts), so they are current.
 */
import type { DomainEnv } from '../domain/env.js'
import { currentPeriod, limitBytes, usedBytesIn } from '../domain/usage.js'
import type { NotificationData, NotificationVars, Plan, Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { bytes, date } from '../ui/format.js'

export interface SubscriberFigures {
  vars: NotificationVars
  data: NotificationData
  usedBytes: number
  limitBytes: number
  periodStartMs: number
  periodEndMs: number
}

/**
 * `{{name}}`, `{{login}}`, `{{used}}`, `{{limit}}`, `{{remaining}}`, `{{percent}}` (of the
 * allowance, whole, rounded down), `{{periodEnd}}` (the day the period ends), `{{topUpUrl}}`.
 */
export function subscriberFigures(
  env: DomainEnv,
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
): SubscriberFigures {
  const nowMs = env.clock.now()
  const period = currentPeriod(sub, nowMs, env.timeZone)
  const used = usedBytesIn(sub, period)
  const limit = limitBytes(plan, topUps, period, nowMs, sub)
  const remaining = Math.max(0, limit - used)
  const percent = limit > 0 ? Math.floor((used * 100) / limit) : 100
  // The period ends at the next one's first instant: the customer's last day is the day before.
  const lastDay = date(period.endMs - 1, env.timeZone)
  return {
    vars: {
      name: sub.name,
      login: sub.login,
      used: bytes(used),
      limit: bytes(limit),
      remaining: bytes(remaining),
      percent: String(percent),
      periodEnd: lastDay,
      topUpUrl: env.publicUrl ? `${env.publicUrl}/portal` : '',
    },
    data: {
      subscriberId: sub.id,
      login: sub.login,
      usedBytes: used,
      limitBytes: limit,
      remainingBytes: remaining,
      periodStart: new Date(period.startMs).toISOString(),
      periodEnd: new Date(period.endMs).toISOString(),
    },
    usedBytes: used,
    limitBytes: limit,
    periodStartMs: period.startMs,
    periodEndMs: period.endMs,
  }
}

/**
 * The same, reading the plan and top-ups from the store; undefined when the subscriber's plan is
 * missing. Callers decide in the transaction of a payment or a top-up, which a message must never
 * refuse: without figures they skip the message, as usage alerts do.
 */
export async function subscriberFiguresIn(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
): Promise<SubscriberFigures | undefined> {
  const plan = await tx.plans.get(sub.planId)
  return plan && subscriberFigures(env, sub, plan, await tx.topUps.forSubscriber(sub.id))
}
