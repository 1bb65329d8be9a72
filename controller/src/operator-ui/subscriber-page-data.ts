/** Everything the subscriber page shows: usage and its projection, the usage history charts, plan, agent, money, history and the edit form's choices. */
import { type AllowanceShown, allowanceShown } from '../domain/allowance-shown.js'
import { billingSettings } from '../domain/billing-settings.js'
import type { DomainEnv } from '../domain/env.js'
import { notFound } from '../domain/refusal.js'
import { currentPeriod, type Period, type UsageView, usageView } from '../domain/usage.js'
import type {
  Delivery,
  Invoice,
  LedgerEntry,
  OperatorChargeTo,
  Plan,
  Subscriber,
  TopUp,
  TopUpPlan,
} from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { projectRunOut, type RunOut } from '../ui/run-out.js'
import { loadUsageCharts, type UsageChartsData } from '../ui/usage-history-data.js'
import { loadSubscriberChoices, type SubscriberChoices } from './subscriber-choices.js'
import { SUBSCRIBER_MESSAGES } from './subscriber-messages.js'

export interface SubscriberPageData {
  sub: Subscriber
  plan: Plan
  agentName: string
  nowMs: number
  period: Period
  usage: UsageView
  runOut: RunOut
  /** This period's buckets and what no bucket paid for. */
  allowance: AllowanceShown
  /** Newest first. */
  topUps: TopUp[]
  invoices: Invoice[]
  ledger: LedgerEntry[]
  /** Top-up plans on sale, for the forms. */
  offers: TopUpPlan[]
  /** The auto top-up's plan, even if it has since been retired (the form must show the truth). */
  autoPlan: TopUpPlan | undefined
  /** Plans and agents for the edit form. */
  choices: SubscriberChoices
  /** The Charge to choice's default, from the billing settings ("add to the next invoice" = Invoice). */
  defaultChargeTo: OperatorChargeTo
  /** The last messages sent to them, newest first. */
  messages: Delivery[]
  /** The usage history charts (`?day=` picks the hourly chart's day). */
  history: UsageChartsData
}

export async function loadSubscriberPage(
  tx: Tx,
  env: DomainEnv,
  id: string,
  hourDay?: string,
): Promise<SubscriberPageData> {
  const sub = await tx.subscribers.get(id)
  if (!sub) throw notFound('subscriber', id)
  const plan = await tx.plans.get(sub.planId)
  if (!plan) throw new Error(`subscriber ${sub.id} refers to missing plan ${sub.planId}`)
  const nowMs = env.clock.now()
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const usage = usageView(sub, plan, topUps, nowMs, env.timeZone)
  const period = currentPeriod(sub, nowMs, env.timeZone)
  const autoPlanId = sub.autoTopUp?.topUpPlanId
  return {
    sub,
    plan,
    agentName: (await tx.agents.get(sub.agentId))?.name ?? sub.agentId,
    nowMs,
    period,
    usage,
    allowance: allowanceShown(sub, plan, topUps, nowMs, env.timeZone),
    runOut: projectRunOut({
      usedBytes: usage.usedBytes,
      limitBytes: usage.limitBytes,
      sinceMs: Math.max(period.startMs, sub.createdAtMs),
      periodEndMs: period.endMs,
      nowMs,
      recentRate: sub.recentRate,
    }),
    topUps: [...topUps].reverse(),
    invoices: [...(await tx.invoices.forSubscriber(sub.id))].reverse(),
    ledger: [...(await tx.ledger.forSubscriber(sub.id))].reverse(),
    offers: (await tx.topUpPlans.list()).filter((p) => p.retiredAtMs === undefined),
    autoPlan: autoPlanId ? await tx.topUpPlans.get(autoPlanId) : undefined,
    choices: await loadSubscriberChoices(tx, sub),
    defaultChargeTo: (await billingSettings(tx)).operatorTopUps === 'balance_now' ? 'balance' : 'invoice',
    messages: (await tx.deliveries.find({ subscriberId: sub.id, limit: SUBSCRIBER_MESSAGES })).items,
    history: await loadUsageCharts(tx, env, sub, plan, topUps, hourDay),
  }
}
