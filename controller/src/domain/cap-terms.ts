/** What a plan does at the cap, as the agent enforces it: block, or throttle at a rate per direction. */
import type { CapAction, OnCap, Plan } from '../store/entities.js'

export interface CapTerms {
  onCap: OnCap
  throttleKbps?: number
  throttleUpKbps?: number
}

/** The parts of a plan the cap terms come from. */
export type CapFields = Pick<Plan, 'onCap' | 'throttleKbps' | 'capAction' | 'rateDownKbps' | 'rateUpKbps'>

/** The plan's cap action; older rows have only `onCap`/`throttleKbps`. */
export function capActionOf(plan: CapFields): CapAction {
  if (plan.capAction) return plan.capAction
  if (plan.onCap === 'throttle' && plan.throttleKbps !== undefined) {
    return { kind: 'throttle_kbps', kbps: plan.throttleKbps }
  }
  return { kind: 'block' }
}

export function capTerms(plan: CapFields): CapTerms {
  const action = capActionOf(plan)
  if (action.kind === 'block') return { onCap: 'block' }
  if (action.kind === 'throttle_kbps') return { onCap: 'throttle', throttleKbps: action.kbps }
  // A percentage of the plan's normal rate, at least 1 kbit/s each way.
  const of = (kbps: number) => Math.max(1, Math.round((kbps * action.percent) / 100))
  const down = plan.rateDownKbps ?? 0
  const up = plan.rateUpKbps ?? down
  return { onCap: 'throttle', throttleKbps: of(down), ...(up !== down ? { throttleUpKbps: of(up) } : {}) }
}
