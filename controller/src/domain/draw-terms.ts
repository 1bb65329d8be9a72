/** Which usage draws from a plan's allowance in a period: its direction and its free-hour windows. */
import type { DrawTerms, Plan } from '../store/entities.js'
import type { Period } from './usage.js'

export function drawTerms(plan: Plan, _period: Period, _timeZone: string): DrawTerms {
  return plan.count && plan.count !== 'both' ? { count: plan.count } : {}
}
