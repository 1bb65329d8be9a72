/**
 * The bounds of every auto top-up setting, and the check that holds them in the domain: the API,
 * the operator form and the portal each say it in their own words first, but a setting outside
 * these bounds is never saved whatever edge it came through.
 */
import { isSafeText } from '../api/safe-text.js'
import type { AutoTopUp } from '../store/entities.js'
import { unknownPlaceholders } from './auto-topup-rules.js'
import { type FieldProblem, Refusal } from './refusal.js'

export const AUTO_TOPUP_BOUNDS = {
  maxPerPeriod: { min: 1, max: 100 },
  percent: { min: 1, max: 100 },
  /** A week: longer would mean "at most one per period", which `maxPerPeriod` says plainly. */
  minIntervalMs: { min: 0, max: 7 * 86_400_000 },
  spendCapPerPeriod: { min: 1, max: Number.MAX_SAFE_INTEGER },
  descriptionTemplate: { max: 200 },
} as const

const whole = (n: number, min: number, max: number) => Number.isSafeInteger(n) && n >= min && n <= max

/** What is wrong with `settings`, field by field (empty when nothing is). */
export function autoTopUpProblems(settings: AutoTopUp): FieldProblem[] {
  const b = AUTO_TOPUP_BOUNDS
  const problems: FieldProblem[] = []
  const add = (path: string, message: string) => problems.push({ path, message })
  if (!whole(settings.maxPerPeriod, b.maxPerPeriod.min, b.maxPerPeriod.max))
    add('maxPerPeriod', `must be a whole number from ${b.maxPerPeriod.min} to ${b.maxPerPeriod.max}`)
  if (settings.thresholdBytes !== undefined && !whole(settings.thresholdBytes, 0, Number.MAX_SAFE_INTEGER))
    add('thresholdBytes', 'must be a whole number of bytes, 0 or more')
  if (settings.trigger && settings.thresholdBytes !== undefined)
    add('trigger', 'give either trigger or thresholdBytes, not both')
  const trigger = settings.trigger
  if (trigger?.kind === 'bytes' && !whole(trigger.bytes, 0, Number.MAX_SAFE_INTEGER))
    add('trigger.bytes', 'must be a whole number of bytes, 0 or more')
  if (trigger?.kind === 'percent_of_last' && !whole(trigger.percent, b.percent.min, b.percent.max))
    add('trigger.percent', `must be a whole number from ${b.percent.min} to ${b.percent.max}`)
  const interval = settings.minIntervalMs
  if (interval !== undefined && !whole(interval, b.minIntervalMs.min, b.minIntervalMs.max))
    add('minIntervalMs', 'must be a whole number of milliseconds from 0 to 7 days')
  const cap = settings.spendCapPerPeriod
  if (cap !== undefined && !whole(cap, b.spendCapPerPeriod.min, b.spendCapPerPeriod.max))
    add('spendCapPerPeriod', 'must be a whole amount in minor units, greater than 0')
  if (settings.chargeTo !== undefined && settings.chargeTo !== 'balance' && settings.chargeTo !== 'invoice')
    add('chargeTo', 'must be "balance" or "invoice"')
  const template = settings.descriptionTemplate
  if (template !== undefined) problems.push(...templateProblems(template))
  return problems
}

export function templateProblems(template: string): FieldProblem[] {
  const path = 'descriptionTemplate'
  if (template.trim().length === 0) return [{ path, message: 'must not be empty' }]
  if (template.length > AUTO_TOPUP_BOUNDS.descriptionTemplate.max)
    return [{ path, message: `must be at most ${AUTO_TOPUP_BOUNDS.descriptionTemplate.max} characters` }]
  if (!isSafeText(template)) return [{ path, message: 'must not contain control characters' }]
  const unknown = unknownPlaceholders(template)
  if (unknown.length > 0)
    return [{ path, message: `may use only {size}, {plan} and {subscriber}, not {${unknown[0]}}` }]
  return []
}

/** Throws a refusal naming every bad field; nothing is saved. */
export function requireValidAutoTopUp(settings: AutoTopUp): void {
  const problems = autoTopUpProblems(settings)
  const first = problems[0]
  if (first) throw new Refusal('invalid_request', `${first.path} ${first.message}`, problems)
}
