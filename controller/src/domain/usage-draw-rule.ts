/** Which of a reading's bytes draw: by the terms the agent enforced in the reading's own period. */
import type { DrawRule } from '@capd/protocol'
import type { Plan, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { drawTerms } from './draw-terms.js'
import type { Period } from './usage-period.js'

/**
 * The subscriber's terms, except for late usage of a period before theirs: the plan's rule for
 * that period, as the agent had it then (each period has its own free windows; the current
 * period's would miss every one). A period after the terms' (before the new terms were made) is
 * drawn by those terms, as the agent does with the limit it carries over (books.ts rollPeriod).
 */
export async function drawRuleFor(
  tx: Tx,
  sub: Subscriber,
  period: Period,
  timeZone: string,
  plans: Map<string, Plan | undefined>,
): Promise<DrawRule> {
  const terms = sub.limitTerms
  if (!terms || period.startMs >= terms.periodStartMs) return terms ?? {}
  if (!plans.has(sub.planId)) plans.set(sub.planId, await tx.plans.get(sub.planId))
  const plan = plans.get(sub.planId)
  return plan ? drawTerms(plan, period, timeZone) : (terms ?? {})
}
