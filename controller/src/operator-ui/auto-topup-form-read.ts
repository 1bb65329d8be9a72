/** Reads the operator's auto top-up form into settings, each bad field named in the form's words. */
import { AUTO_TOPUP_BOUNDS, templateProblems } from '../domain/auto-topup-settings.js'
import type { AutoTopUp } from '../store/entities.js'
import { dataAmountField } from '../ui/data-amount.js'
import { FormCheck } from '../ui/form-check.js'
import { fieldError } from '../ui/form-refusal.js'
import { checkbox, type FormFields, fieldText, moneyField, wholeNumberField } from '../ui/form-values.js'

const THRESHOLD = 'Top up when remaining data is at most'
const PLAN = 'Top-up plan'
const PERCENT = 'Share of the last top-up (%)'
const INTERVAL = 'Minimum minutes between two'
const SPEND_CAP = 'Spend limit per period'
const DESCRIPTION = 'Invoice line'
const MAX_INTERVAL_MINUTES = AUTO_TOPUP_BOUNDS.minIntervalMs.max / 60_000

/** One of `allowed`, or the form is not one the page made. */
function choice<T extends string>(form: FormFields, name: string, label: string, allowed: readonly T[]): T {
  const value = fieldText(form, name) ?? allowed[0]
  if (!allowed.includes(value as T)) throw fieldError(name, label, 'Choose one of the options.')
  return value as T
}

export function readAutoTopUpForm(form: FormFields, currency: string): AutoTopUp {
  const enabled = checkbox(form, 'enabled')
  const topUpPlanId = fieldText(form, 'topUpPlanId')
  const check = new FormCheck()
  if (enabled && !topUpPlanId)
    check.add(fieldError('topUpPlanId', PLAN, 'Choose the top-up plan to sell when auto top-up is enabled.'))
  const kind = check.read(() =>
    choice(form, 'triggerKind', 'Top up when', ['bytes', 'percent_of_last'] as const),
  )
  const template = fieldText(form, 'descriptionTemplate')
  const templateProblem = template === undefined ? undefined : templateProblems(template)[0]
  if (templateProblem)
    check.add(fieldError('descriptionTemplate', DESCRIPTION, `${sentence(templateProblem.message)}.`))
  const read = check.doneAll({
    maxPerPeriod: check.read(() =>
      wholeNumberField(form, 'maxPerPeriod', 'Maximum per period', AUTO_TOPUP_BOUNDS.maxPerPeriod),
    ),
    thresholdBytes: check.read(() =>
      kind === 'percent_of_last'
        ? 0
        : dataAmountField(form, 'thresholdBytes', THRESHOLD, { minBytes: 0, empty: 0 }),
    ),
    percent: check.read(() =>
      kind === 'percent_of_last'
        ? wholeNumberField(form, 'triggerPercent', PERCENT, AUTO_TOPUP_BOUNDS.percent)
        : 0,
    ),
    // Empty (or a page from before the field): the default interval.
    intervalMinutes: check.read(() =>
      fieldText(form, 'minIntervalMinutes') === undefined
        ? -1
        : wholeNumberField(form, 'minIntervalMinutes', INTERVAL, { min: 0, max: MAX_INTERVAL_MINUTES }),
    ),
    spendCap: check.read(() =>
      fieldText(form, 'spendCap') === undefined
        ? undefined
        : moneyField(form, 'spendCap', SPEND_CAP, currency, { positive: true }).amount,
    ),
    chargeTo: check.read(() => choice(form, 'chargeTo', 'Charge to', ['balance', 'invoice'] as const)),
    compensate: check.read(() =>
      choice(form, 'compensateOverUsage', 'Data used past the limit', ['on', 'off'] as const),
    ),
  })
  return {
    enabled,
    // Off with no plan chosen yet (say, to let the customer choose one in the portal).
    topUpPlanId: topUpPlanId ?? '',
    maxPerPeriod: read.maxPerPeriod,
    // A fixed amount stays in `thresholdBytes`, which every reader knows.
    ...(kind === 'percent_of_last'
      ? { trigger: { kind: 'percent_of_last' as const, percent: read.percent } }
      : { thresholdBytes: read.thresholdBytes }),
    // Defaults are left out, so the settings say only what differs from them.
    ...(read.intervalMinutes < 0 ? {} : { minIntervalMs: read.intervalMinutes * 60_000 }),
    ...(read.spendCap === undefined ? {} : { spendCapPerPeriod: read.spendCap }),
    ...(read.chargeTo === 'invoice' ? { chargeTo: 'invoice' as const } : {}),
    ...(read.compensate === 'off' ? { compensateOverUsage: false } : {}),
    ...(template === undefined ? {} : { descriptionTemplate: template }),
    customerMayChange: checkbox(form, 'customerMayChange'),
  }
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
