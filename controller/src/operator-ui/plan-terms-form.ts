/**
 * The plan form's allowance terms, read into the API's plan input: at the cap, normal speed,
 * counts, use first, roll over and free hours. A box left empty on an edit clears the term; a form
 * without the boxes (an older page) leaves the plan's terms as they are.
 */
import { FreeHoursInput } from '../api/plan-terms-schemas.js'
import { TINY_BELOW_BYTES } from '../api/tiny-bytes.js'
import type { PlanTermsInput } from '../domain/plan-terms.js'
import type { CapAction, CountDirection, DrawOrder, FreeHours, RolloverRule } from '../store/entities.js'
import { dataAmountField } from '../ui/data-amount.js'
import type { FormCheck, IssueMessage } from '../ui/form-check.js'
import { type FormFields, fieldError, wholeNumberValue } from '../ui/form-values.js'
import { CAP_CHOICES } from './plan-terms-text.js'

export const TERM_LABELS = {
  onCap: 'At the cap',
  throttleKbps: 'Slow to (kbit/s)',
  throttlePercent: 'Slow to (% of the normal speed)',
  capAction: 'At the cap',
  rateDownKbps: 'Normal speed, download (kbit/s)',
  rateUpKbps: 'Normal speed, upload (kbit/s)',
  count: 'Counts',
  drawOrder: 'Use first',
  rollover: 'Roll over unused',
  rolloverMaxBytes: 'Roll over at most',
  rolloverPeriods: 'Rolled-over data lasts (periods)',
  freeHours: 'Free hours',
} as const

/** How many free-hour rows the form has (the API's most). */
export const FREE_HOUR_ROWS = 3

const CAP = 'Choose Block, Slow to a fixed speed or Slow to a % of the normal speed.'
export const THROTTLE = 'Enter the speed subscribers are slowed to at the cap, in kbit/s, such as 512.'
const OVERLAP = 'Free hours must not overlap: make one window end before the next starts.'
const MAX_KBPS = 100_000_000
const TOO_FAST = `Enter at most ${MAX_KBPS} kbit/s.`
const PERCENT = 'Enter a whole percentage from 1 to 99, such as 10.'
const SPEED = 'Enter a whole number of kbit/s, such as 20000, or leave it empty.'

/** What the API's schema says about a term, in the form's words. */
export const TERM_MESSAGES: Readonly<Record<string, IssueMessage>> = {
  onCap: CAP,
  capAction: CAP,
  throttleKbps: (issue) => (issue.code === 'too_big' ? TOO_FAST : THROTTLE),
  rateDownKbps: (issue) =>
    issue.code === 'custom'
      ? 'Enter the normal download speed: slowing to a % of the normal speed needs it.'
      : SPEED,
  rateUpKbps: SPEED,
  count: 'Choose what counts: download and upload, download only or upload only.',
  drawOrder: "Choose plan data, top-ups or the ISP's default.",
  rollover: 'Tick plan data, top-up data or both, and say how long rolled-over data lasts.',
  freeHours: (issue) =>
    issue.code === 'custom' && /overlaps/.test(issue.message)
      ? OVERLAP
      : 'Enter each window as a start and an end time, such as 00:00 to 06:00.',
}

/** The terms the form gives; `null` = a box left empty (the term is cleared on an edit). */
export function termsFromForm(form: FormFields, check: FormCheck): PlanTermsInput {
  return {
    // A refused cap choice is noted at its box; the stand-in only keeps the schema from adding
    // "capAction is required" to it (check.done refuses the form anyway).
    ...(check.read(() => capFromForm(form)) ?? { capAction: { kind: 'block' } }),
    ...speed(form, check, 'rateDownKbps'),
    ...speed(form, check, 'rateUpKbps'),
    // A value the form never offered is left for the API's schema to refuse.
    ...(form.count === undefined ? {} : { count: form.count as CountDirection }),
    ...drawOrderFromForm(form),
    ...check.read(() => rolloverFromForm(form)),
    ...check.read(() => freeHoursFromForm(form)),
  }
}

/**
 * The cap action. The speed box is read only for a fixed speed and the percentage only for a
 * percentage: an edit page pre-fills both, and switching should not need clearing either first.
 */
function capFromForm(form: FormFields): { capAction?: CapAction } {
  const kind = form.onCap
  if (kind === undefined) return {}
  if (!CAP_CHOICES.some((c) => c.value === kind)) throw fieldError('onCap', TERM_LABELS.onCap, CAP)
  if (kind === 'block') return { capAction: { kind: 'block' } }
  if (kind === 'throttle') {
    const kbps = wholeNumberValue(form.throttleKbps, 'throttleKbps', TERM_LABELS.throttleKbps)
    if (kbps === undefined || kbps < 1) throw fieldError('throttleKbps', TERM_LABELS.throttleKbps, THROTTLE)
    if (kbps > MAX_KBPS) throw fieldError('throttleKbps', TERM_LABELS.throttleKbps, TOO_FAST)
    return { capAction: { kind: 'throttle_kbps', kbps } }
  }
  const text = form.throttlePercent?.trim().replace(/%$/, '').trim() ?? ''
  const percent = Number(text)
  if (!/^\d{1,2}$/.test(text) || percent < 1)
    throw fieldError('throttlePercent', TERM_LABELS.throttlePercent, PERCENT)
  return { capAction: { kind: 'throttle_percent', percent } }
}

function speed(form: FormFields, check: FormCheck, name: 'rateDownKbps' | 'rateUpKbps') {
  if (form[name] === undefined) return {}
  const kbps = check.read(() => wholeNumberValue(form[name], name, TERM_LABELS[name]))
  return { [name]: kbps ?? null }
}

/** "" = the ISP's default. */
function drawOrderFromForm(form: FormFields): { drawOrder?: DrawOrder | null } {
  const value = form.drawOrder
  if (value === undefined) return {}
  return { drawOrder: value === '' ? null : (value as DrawOrder) }
}

/** Nothing ticked = no rollover; an empty "at most" = one cap's worth. */
function rolloverFromForm(form: FormFields): { rollover?: RolloverRule | null } {
  if (form.rolloverPeriods === undefined) return {}
  const plan = form.rolloverPlan === 'on'
  const topUps = form.rolloverTopUps === 'on'
  if (!plan && !topUps) return { rollover: null }
  const maxText = form.rolloverMaxBytes?.trim() ?? ''
  const maxBytes =
    maxText === ''
      ? undefined
      : dataAmountField(form, 'rolloverMaxBytes', TERM_LABELS.rolloverMaxBytes, {
          minBytes: TINY_BELOW_BYTES,
        })
  const periodsText = form.rolloverPeriods.trim()
  const periods = periodsText === '' ? 1 : Number(periodsText)
  if (!/^\d{1,2}$/.test(periodsText === '' ? '1' : periodsText) || periods < 1 || periods > 24)
    throw fieldError(
      'rolloverPeriods',
      TERM_LABELS.rolloverPeriods,
      'Enter a whole number of periods from 1 to 24.',
    )
  return { rollover: { plan, topUps, periods, ...(maxBytes === undefined ? {} : { maxBytes }) } }
}

/** Rows with both times empty are skipped; a half-filled row or a bad time is refused at its box. */
function freeHoursFromForm(form: FormFields): { freeHours?: FreeHours[] } {
  if (form.freeFrom1 === undefined) return {}
  const windows: FreeHours[] = []
  const rows: number[] = []
  for (let row = 1; row <= FREE_HOUR_ROWS; row++) {
    const from = form[`freeFrom${row}`]?.trim() ?? ''
    const to = form[`freeTo${row}`]?.trim() ?? ''
    if (from === '' && to === '') continue
    for (const [name, value] of [
      [`freeFrom${row}`, from],
      [`freeTo${row}`, to],
    ] as const) {
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(value))
        throw fieldError(name, TERM_LABELS.freeHours, 'Enter a time of day as HH:MM, such as 06:00.')
    }
    if (from === to)
      throw fieldError(
        `freeTo${row}`,
        TERM_LABELS.freeHours,
        'A window must end at another time than it starts.',
      )
    windows.push({ from, to })
    rows.push(row)
  }
  // Overlaps are the API's rule: its complaint about window j is shown at that window's row.
  const checked = FreeHoursInput.safeParse(windows)
  const issue = checked.success ? undefined : checked.error.issues[0]
  if (issue) {
    const row = rows[Number(issue.path[0] ?? 0)] ?? 1
    throw fieldError(`freeFrom${row}`, TERM_LABELS.freeHours, OVERLAP)
  }
  return { freeHours: windows }
}
