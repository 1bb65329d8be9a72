/** Which usage draws from a plan's allowance in a period: its direction and its free-hour windows. */
import { freeWindowsIn } from '@capd/protocol'
import type { DrawTerms, Plan } from '../store/entities.js'
import type { Period } from './usage.js'

/**
 * The plan's draw rule for `period`: its counting direction, and its daily free hours as the
 * period's absolute windows in the ISP's zone (see freeWindowsIn; a plan whose free hours would
 * need more windows than a limit carries throws TooManyFreeWindows rather than losing some).
 */
export function drawTerms(plan: Plan, period: Period, timeZone: string): DrawTerms {
  const freeWindows = freeWindowsIn(period, plan.freeHours, timeZone)
  return {
    ...(plan.count && plan.count !== 'both' ? { count: plan.count } : {}),
    ...(freeWindows.length > 0 ? { freeWindows } : {}),
  }
}
