/** How a plan's allowance terms read on the operator's pages, and the choices their form offers. */
import { capTerms } from '../domain/cap-terms.js'
import type { DrawOrder, Plan } from '../store/entities.js'
import { bytes } from '../ui/format.js'

export const COUNT_CHOICES = [
  { value: 'both', label: 'Download and upload' },
  { value: 'down', label: 'Download only' },
  { value: 'up', label: 'Upload only' },
] as const

/** The form's "At the cap" choice; `throttle` keeps the older form value for a fixed speed. */
export const CAP_CHOICES = [
  { value: 'block', label: 'Block' },
  { value: 'throttle', label: 'Slow to a fixed speed' },
  { value: 'throttle_percent', label: 'Slow to a % of the normal speed' },
] as const

export const DRAW_ORDER_CHOICES: readonly { value: DrawOrder; label: string }[] = [
  { value: 'plan_first', label: 'Plan data' },
  { value: 'topups_first', label: 'Top-ups' },
]

const labelOf = (choices: readonly { value: string; label: string }[], value: string) =>
  choices.find((c) => c.value === value)?.label ?? value

/** "Download only". */
export const countText = (plan: Plan) => labelOf(COUNT_CHOICES, plan.count ?? 'both')

/** "Block", "Slow to 512 kbit/s" or "Slow to 10 % of the normal speed (2000 kbit/s down, 500 up)". */
export function capText(plan: Plan): string {
  const action = plan.capAction
  if (!action) return plan.onCap === 'throttle' ? `Slow to ${plan.throttleKbps ?? '?'} kbit/s` : 'Block'
  if (action.kind === 'block') return 'Block'
  if (action.kind === 'throttle_kbps') return `Slow to ${action.kbps} kbit/s`
  if (plan.rateDownKbps === undefined) return `Slow to ${action.percent} % of the normal speed`
  const { throttleKbps: down, throttleUpKbps: up = down } = capTerms(plan)
  return `Slow to ${action.percent} % of the normal speed (${down} kbit/s down, ${up} up)`
}

/** "20000 kbit/s down, 5000 kbit/s up", or "Not set". */
export function speedText(plan: Plan): string {
  if (plan.rateDownKbps === undefined && plan.rateUpKbps === undefined) return 'Not set'
  const down = plan.rateDownKbps === undefined ? 'not set' : `${plan.rateDownKbps} kbit/s`
  const up = plan.rateUpKbps === undefined ? 'same' : `${plan.rateUpKbps} kbit/s`
  return `${down} down, ${up} up`
}

/** "Top-ups", or "Plan data (the ISP's default)" when the plan has no choice of its own. */
export const drawOrderText = (plan: Plan, ispDefault: DrawOrder) =>
  plan.drawOrder
    ? labelOf(DRAW_ORDER_CHOICES, plan.drawOrder)
    : `${labelOf(DRAW_ORDER_CHOICES, ispDefault)} (the ISP's default)`

/** "Plan and top-up data, at most 50 GB, for 2 periods", or "No". */
export function rolloverText(plan: Plan): string {
  const r = plan.rollover
  if (!r) return 'No'
  const what = r.plan && r.topUps ? 'Plan and top-up data' : r.plan ? 'Plan data' : 'Top-up data'
  const most = `at most ${bytes(r.maxBytes ?? plan.capBytes)}`
  return `${what}, ${most}, for ${r.periods} period${r.periods === 1 ? '' : 's'}`
}

/** "23:00–06:00, 12:00–13:00", or "None". */
export const freeHoursText = (plan: Plan) =>
  plan.freeHours?.length ? plan.freeHours.map((w) => `${w.from}–${w.to}`).join(', ') : 'None'
