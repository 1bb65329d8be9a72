/** Auto top-up settings in one line for people: "when 100 MB or less is left, at most 3 per period, …". */
import { minIntervalOf } from '../domain/auto-topup-rules.js'
import type { AutoTopUp } from '../store/entities.js'
import { bytes, money } from './format.js'

/** "5 min", "2 h", "90 s". */
export function intervalWords(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`
  if (ms % 60_000 === 0) return `${ms / 60_000} min`
  return `${Math.round(ms / 1000)} s`
}

export function autoTopUpTerms(settings: AutoTopUp, currency: string): string {
  const trigger = settings.trigger
  const when =
    trigger?.kind === 'percent_of_last'
      ? `when ${trigger.percent}% of the last top-up or less is left`
      : (trigger?.bytes ?? settings.thresholdBytes ?? 0) > 0
        ? `when ${bytes(trigger?.bytes ?? settings.thresholdBytes ?? 0)} or less is left`
        : 'when the data runs out'
  const parts = [`at most ${settings.maxPerPeriod} per period`, when]
  const interval = minIntervalOf(settings)
  if (interval > 0) parts.push(`at least ${intervalWords(interval)} apart`)
  if (settings.spendCapPerPeriod !== undefined)
    parts.push(`at most ${money({ amount: settings.spendCapPerPeriod, currency })} per period`)
  parts.push(settings.chargeTo === 'invoice' ? 'put on the next invoice' : 'paid from the balance')
  return parts.join(', ')
}
