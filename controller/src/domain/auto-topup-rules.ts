/**
 * The auto top-up guardrails as pure rules over the books: when it triggers, whether the next one
 * is allowed (maximum, interval, spend cap, funds) and what its invoice line says. No I/O, so the
 * rules are the same wherever they run and tests can check them directly.
 */
import { formatBytes, type Money } from '@capd/protocol'
import type { AutoTopUp, AutoTopUpDecline, TopUp, TopUpPlan } from '../store/entities.js'
import { grossOf } from './tax.js'

/** Absent `minIntervalMs`: at most one auto top-up every 5 minutes. */
export const DEFAULT_MIN_INTERVAL_MS = 5 * 60_000

export const minIntervalOf = (settings: AutoTopUp): number =>
  settings.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS

/**
 * Bought in the current period that starts at `periodStartMs`, by when it was bought (as its bucket
 * is): a moved billing day re-anchors the period, and the `periodStartMs` a top-up was sold under
 * would then miss it, giving a fresh maximum and spend cap in the same period.
 */
const boughtIn = (t: TopUp, periodStartMs: number) => t.createdAtMs >= periodStartMs

/** The period's top-ups that still count (a reversed one's bytes and money were given back). */
const countedIn = (topUps: readonly TopUp[], periodStartMs: number) =>
  topUps.filter((t) => boughtIn(t, periodStartMs) && t.reversedAtMs === undefined)

/** Auto top-ups of the period, reversed ones included: each one was a purchase the customer saw. */
export const autoTopUpsIn = (topUps: readonly TopUp[], periodStartMs: number) =>
  topUps.filter((t) => t.source === 'auto' && boughtIn(t, periodStartMs))

/**
 * Remaining bytes at which it tops up: the fixed number, or a percentage of the last top-up of
 * the period (any source); with none yet, of the top-up plan's size. Old documents: `thresholdBytes`.
 */
export function triggerBytes(
  settings: AutoTopUp,
  topUps: readonly TopUp[],
  periodStartMs: number,
  pack: TopUpPlan | undefined,
): number {
  const trigger = settings.trigger
  if (!trigger) return settings.thresholdBytes ?? 0
  if (trigger.kind === 'bytes') return trigger.bytes
  const last = countedIn(topUps, periodStartMs).sort((a, b) => b.createdAtMs - a.createdAtMs)[0]
  const size = last?.bytes ?? pack?.bytes ?? 0
  return Math.floor((size * trigger.percent) / 100)
}

/** Money auto top-ups charged this period (what was charged, tax included). */
export function autoSpentIn(topUps: readonly TopUp[], periodStartMs: number): number {
  return countedIn(topUps, periodStartMs)
    .filter((t) => t.source === 'auto')
    .reduce((sum, t) => sum + t.price.amount, 0)
}

export interface NextAutoTopUp {
  settings: AutoTopUp
  topUps: readonly TopUp[]
  periodStartMs: number
  /** The top-up plan, if it is still on sale in the store's currency. */
  pack: TopUpPlan | undefined
  balance: Money
  nowMs: number
}

export type Decision =
  | { ok: true; charged: Money }
  | { ok: false; reason: AutoTopUpDecline['reason']; retryAtMs?: number }

/**
 * Whether the next auto top-up may be bought now. Checked in this order, so the customer hears
 * the reason that would still stop it after the others were fixed last: the maximum, the plan,
 * the spend cap, the interval, the funds.
 */
export function decideNext(next: NextAutoTopUp): Decision {
  const { settings, topUps, periodStartMs, pack, balance, nowMs } = next
  const autos = autoTopUpsIn(topUps, periodStartMs)
  if (autos.length >= settings.maxPerPeriod) return { ok: false, reason: 'max_per_period' }
  if (!pack) return { ok: false, reason: 'plan_unavailable' }
  const charged = grossOf(pack.price, pack.tax)
  const cap = settings.spendCapPerPeriod
  if (cap !== undefined && autoSpentIn(topUps, periodStartMs) + charged.amount > cap)
    return { ok: false, reason: 'spend_cap' }
  const lastAtMs = Math.max(...autos.map((t) => t.createdAtMs), Number.NEGATIVE_INFINITY)
  const retryAtMs = lastAtMs + minIntervalOf(settings)
  if (nowMs < retryAtMs) return { ok: false, reason: 'min_interval', retryAtMs }
  if ((settings.chargeTo ?? 'balance') === 'balance' && balance.amount < charged.amount)
    return { ok: false, reason: 'insufficient_balance' }
  return { ok: true, charged }
}

export const TEMPLATE_FIELDS = ['size', 'plan', 'subscriber'] as const

/** `{size}`, `{plan}` (the top-up plan's name) and `{subscriber}` (the subscriber's name) filled in. */
export function invoiceDescription(
  template: string,
  values: { bytes: number; planName: string; subscriberName: string },
): string {
  const fill: Record<(typeof TEMPLATE_FIELDS)[number], string> = {
    size: formatBytes(values.bytes),
    plan: values.planName,
    subscriber: values.subscriberName,
  }
  return template.replace(/\{(size|plan|subscriber)\}/g, (_, key: keyof typeof fill) => fill[key])
}

/** Placeholders in a template that are not one of TEMPLATE_FIELDS (a typo would print as is). */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(TEMPLATE_FIELDS)
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '').filter((k) => !known.has(k))
}
