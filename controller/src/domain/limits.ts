/**
 * The limits agents enforce: absolute terms per subscriber (period, limit, what happens at the
 * cap) under a version that is bumped whenever the terms change, so pushes can be replayed safely.
 */
import type { SubscriberLimit } from '@capd/protocol'
import type { DrawOrder, LimitTerms, Plan, Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { nextExpiryMs } from './allowance-draw.js'
import { drawOrderOf } from './allowance-settings.js'
import { allowanceOf } from './allowance-state.js'
import { capTerms } from './cap-terms.js'
import { drawTerms } from './draw-terms.js'
import type { DomainEnv } from './env.js'
import { currentPeriod, limitBytes, usedBytesIn } from './usage.js'
import { rollUsage } from './usage-book.js'

export function limitTerms(
  sub: Subscriber,
  plan: Plan,
  topUps: readonly TopUp[],
  nowMs: number,
  timeZone: string,
  order?: DrawOrder,
): LimitTerms {
  const period = currentPeriod(sub, nowMs, timeZone)
  // Limit 0 with "block": the agent blocks at used >= limit, so a suspended subscriber is blocked
  // whatever it has used or bought; the marker keeps the terms (and so the version) distinct.
  if (sub.suspension) {
    return {
      periodStartMs: period.startMs,
      periodEndMs: period.endMs,
      limitBytes: 0,
      onCap: 'block',
      ...addressOf(sub),
      suspended: true,
    }
  }
  return {
    periodStartMs: period.startMs,
    periodEndMs: period.endMs,
    limitBytes: limitBytes(plan, topUps, period, nowMs, sub, order),
    ...capTerms(plan),
    ...drawTerms(plan, period, timeZone),
    ...addressOf(sub),
  }
}

/** The address the router knows the subscriber by; none (no key at all) for one known by login. */
const addressOf = (s: { readonly address?: string | undefined }) =>
  s.address === undefined ? {} : { address: s.address }

export function sameTerms(a: LimitTerms | undefined, b: LimitTerms): boolean {
  return (
    a !== undefined &&
    a.periodStartMs === b.periodStartMs &&
    a.periodEndMs === b.periodEndMs &&
    a.limitBytes === b.limitBytes &&
    a.onCap === b.onCap &&
    a.throttleKbps === b.throttleKbps &&
    a.throttleUpKbps === b.throttleUpKbps &&
    a.count === b.count &&
    sameWindows(a.freeWindows, b.freeWindows) &&
    a.address === b.address &&
    a.suspended === b.suspended
  )
}

function sameWindows(a: LimitTerms['freeWindows'], b: LimitTerms['freeWindows']): boolean {
  if (a === b) return true
  if (!a || !b || a.length !== b.length) return false
  return a.every((w, i) => w.startMs === b[i]!.startMs && w.endMs === b[i]!.endMs)
}

export interface CurrentLimit {
  subscriber: Subscriber
  limit: SubscriberLimit
  /** Whether this call bumped the version (the agent has not been told yet). */
  changed: boolean
  /** When the terms change next without any request: period end or a top-up's expiry. */
  nextChangeAtMs: number
}

/**
 * The subscriber's limit now. If its terms differ from those its version stands for (a top-up, an
 * expiry, a new period), the version is bumped first, and a finished period's usage is moved aside.
 */
export async function currentLimit(tx: Tx, env: DomainEnv, sub: Subscriber): Promise<CurrentLimit> {
  const plan = await tx.plans.get(sub.planId)
  if (!plan) throw new Error(`subscriber ${sub.id} refers to missing plan ${sub.planId}`)
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const nowMs = env.clock.now()
  const order = await drawOrderOf(tx, plan)
  // A finished period is rolled first: the new period's terms count the data that rolled over.
  let subscriber = await rollUsage(tx, sub, currentPeriod(sub, nowMs, env.timeZone), env.timeZone)
  const terms = limitTerms(subscriber, plan, topUps, nowMs, env.timeZone, order)
  const period = { startMs: terms.periodStartMs, endMs: terms.periodEndMs }
  const changed = !sameTerms(subscriber.limitTerms, terms)
  if (changed) {
    subscriber = { ...subscriber, limitTerms: terms, limitVersion: (subscriber.limitVersion ?? 0) + 1 }
    await tx.subscribers.update(subscriber)
  }
  const { buckets } = allowanceOf(subscriber, plan, topUps, period, order)
  return {
    subscriber,
    changed,
    nextChangeAtMs: Math.min(terms.periodEndMs, nextExpiryMs(buckets, nowMs)),
    limit: {
      subscriberId: sub.id,
      ...addressOf(terms),
      login: sub.login,
      periodStart: new Date(terms.periodStartMs).toISOString(),
      periodEnd: new Date(terms.periodEndMs).toISOString(),
      limitBytes: terms.limitBytes,
      usedBytes: usedBytesIn(subscriber, period),
      limitVersion: subscriber.limitVersion ?? 0,
      onCap: terms.onCap,
      ...(terms.throttleKbps !== undefined ? { throttleKbps: terms.throttleKbps } : {}),
      ...(terms.throttleUpKbps !== undefined ? { throttleUpKbps: terms.throttleUpKbps } : {}),
      ...(terms.count !== undefined ? { count: terms.count } : {}),
      ...(terms.freeWindows?.length
        ? {
            freeWindows: terms.freeWindows.map((w) => ({
              start: new Date(w.startMs).toISOString(),
              end: new Date(w.endMs).toISOString(),
            })),
          }
        : {}),
    },
  }
}

/** Brings the version up to date after a change to the subscriber's books (top-up, creation). */
export async function refreshLimit(tx: Tx, env: DomainEnv, sub: Subscriber): Promise<Subscriber> {
  return (await currentLimit(tx, env, sub)).subscriber
}

/** The limits of these subscribers as the agent should enforce them; unknown and deleted ids are skipped. */
/**
 * Reads the rows a limit is computed from (the subscribers, their top-ups) for many subscribers in
 * a few statements, not two per subscriber (a sync reads every subscriber of its agent). One
 * subscriber is read as it would be anyway.
 */
export async function readLimitInputsAhead(tx: Tx, subscriberIds: readonly string[]): Promise<void> {
  if (subscriberIds.length > 1) await tx.readAhead?.({ subscribers: subscriberIds, topUpsOf: subscriberIds })
}

export async function limitsFor(
  tx: Tx,
  env: DomainEnv,
  subscriberIds: readonly string[],
): Promise<SubscriberLimit[]> {
  const limits: SubscriberLimit[] = []
  await readLimitInputsAhead(tx, subscriberIds)
  for (const id of subscriberIds) {
    const sub = await tx.subscribers.get(id)
    if (sub && sub.deletedAtMs === undefined) limits.push((await currentLimit(tx, env, sub)).limit)
  }
  return limits
}

/** For the roll-over timer: bumps every subscriber whose terms changed by time alone. */
export async function refreshAllLimits(
  tx: Tx,
  env: DomainEnv,
): Promise<{ changedIds: string[]; nextChangeAtMs: number }> {
  const changedIds: string[] = []
  let nextChangeAtMs = Number.POSITIVE_INFINITY
  for (const sub of await tx.subscribers.list()) {
    if (sub.deletedAtMs !== undefined) continue
    const current = await currentLimit(tx, env, sub)
    if (current.changed) changedIds.push(sub.id)
    nextChangeAtMs = Math.min(nextChangeAtMs, current.nextChangeAtMs)
  }
  return { changedIds, nextChangeAtMs }
}
