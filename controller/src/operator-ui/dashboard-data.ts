/**
 * The dashboard's figures, from one pass over the subscribers: plans and top-ups are loaded once
 * and grouped, so the page stays quick with tens of thousands of subscribers.
 */
import { localDateTime, type Money, startOfLocalDay } from '@capd/protocol'
import type { DomainEnv } from '../domain/env.js'
import type { Subscriber, TopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { outstandingInvoices, receivedSince } from './revenue.js'
import { periodFinder, type UsageFigures, usageFigures } from './usage-figures.js'

/** Remaining data at or below this share of the limit counts as near the cap. */
const NEAR_CAP_SHARE = 0.2
const LISTED = 10

export interface SubscriberFigure {
  sub: Subscriber
  usage: UsageFigures
}

export interface Dashboard {
  nearCap: { count: number; top: SubscriberFigure[] }
  blocked: { count: number; first: SubscriberFigure[] }
  agents: { online: number; total: number }
  /** Money received this month (every payment method but `balance`, which only moves money already received). */
  revenueThisMonth: Money
  /** What open invoices still ask for, whenever issued. */
  outstanding: { amount: Money; invoices: number }
}

export async function loadDashboard(
  tx: Tx,
  env: DomainEnv,
  isAgentConnected: (agentId: string) => boolean,
): Promise<Dashboard> {
  const nowMs = env.clock.now()
  const plans = new Map((await tx.plans.list()).map((p) => [p.id, p]))
  const monthStartMs = startOfLocalMonth(nowMs, env.timeZone)
  const revenue = await receivedSince(tx, env, monthStartMs, nowMs)
  const outstanding = await outstandingInvoices(tx, env)
  // Only top-ups still running can add to a limit; expired ones are skipped before grouping.
  const running = new Map<string, TopUp[]>()
  for (const t of await tx.topUps.list()) {
    if (t.expiresAtMs <= nowMs) continue
    const list = running.get(t.subscriberId)
    if (list) list.push(t)
    else running.set(t.subscriberId, [t])
  }

  const periodOf = periodFinder(nowMs, env.timeZone)
  const near: SubscriberFigure[] = []
  const blocked: SubscriberFigure[] = []
  for (const sub of await tx.subscribers.list()) {
    const plan = plans.get(sub.planId)
    // A deleted subscriber is on no router: nothing to watch.
    if (!plan || sub.deletedAtMs !== undefined) continue
    const usage = usageFigures(sub, plan, running.get(sub.id) ?? [], periodOf(sub), nowMs)
    if (sub.state === 'blocked') blocked.push({ sub, usage })
    else if (usage.remainingBytes <= usage.limitBytes * NEAR_CAP_SHARE) near.push({ sub, usage })
  }
  near.sort((a, b) => shareUsed(b.usage) - shareUsed(a.usage))

  const agents = (await tx.agents.list()).filter((a) => a.revokedAtMs === undefined)
  return {
    nearCap: { count: near.length, top: near.slice(0, LISTED) },
    blocked: { count: blocked.length, first: blocked.slice(0, LISTED) },
    agents: { online: agents.filter((a) => isAgentConnected(a.id)).length, total: agents.length },
    revenueThisMonth: revenue,
    outstanding,
  }
}

const shareUsed = (u: UsageFigures) => (u.limitBytes <= 0 ? Number.MAX_VALUE : u.usedBytes / u.limitBytes)

/** The first instant of the calendar month `atMs` falls in, in `timeZone`. */
export function startOfLocalMonth(atMs: number, timeZone: string): number {
  const { year, month } = localDateTime(atMs, timeZone)
  return startOfLocalDay(year, month, 1, timeZone)
}
