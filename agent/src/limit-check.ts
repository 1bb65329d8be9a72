/**
 * What the agent accepts from a controller before it enforces anything: billing periods of at
 * least an hour with dates near now. A spoofed or broken controller could otherwise send a 1 ms
 * period dated 2020 (the agent would spend its time rolling periods) or a year-3000 one (usage
 * journalled under a period no controller will ever book).
 */
import { FreeWindows, type SubscriberLimit } from '@capd/protocol'

/** The shortest billing period the agent enforces; real ones are days to a month. */
export const MIN_PERIOD_MS = 3600_000
/** How far from the agent's clock a period may start or end (a month's period, a late controller). */
export const MAX_DISTANCE_MS = 400 * 86_400_000

/** Why the agent refuses this limit, or undefined if it takes it. */
export function limitProblem(limit: SubscriberLimit, nowMs: number): string | undefined {
  const startMs = Date.parse(limit.periodStart)
  const endMs = Date.parse(limit.periodEnd)
  const who = `subscriber ${limit.subscriberId}`
  if (endMs - startMs < MIN_PERIOD_MS) {
    return `${who}: period ${limit.periodStart} – ${limit.periodEnd} is shorter than 1 hour`
  }
  if (Math.abs(startMs - nowMs) > MAX_DISTANCE_MS || Math.abs(endMs - nowMs) > MAX_DISTANCE_MS) {
    return `${who}: period ${limit.periodStart} – ${limit.periodEnd} is more than 400 days from this agent's clock (${new Date(nowMs).toISOString()})`
  }
  return windowsProblem(limit, startMs, endMs)
}

/**
 * Free windows the agent would enforce wrongly: not valid wire windows (out of order, overlapping,
 * too many, bad instants — a message parsed at the link never has these), or reaching outside the period.
 */
function windowsProblem(limit: SubscriberLimit, startMs: number, endMs: number): string | undefined {
  if (limit.freeWindows === undefined) return undefined
  const who = `subscriber ${limit.subscriberId}`
  const parsed = FreeWindows.safeParse(limit.freeWindows)
  if (!parsed.success) return `${who}: bad free windows (${parsed.error.issues[0]?.message})`
  for (const w of parsed.data) {
    if (Date.parse(w.start) < startMs || Date.parse(w.end) > endMs) {
      return `${who}: free window ${w.start} – ${w.end} is outside the period ${limit.periodStart} – ${limit.periodEnd}`
    }
  }
  return undefined
}

/** The first problem among `limits`: one bad limit refuses the whole message. */
export function limitsProblem(limits: readonly SubscriberLimit[], nowMs: number): string | undefined {
  for (const limit of limits) {
    const problem = limitProblem(limit, nowMs)
    if (problem) return problem
  }
  return undefined
}

/** The message refusing a `sync` or `limits` with a bad limit, or undefined if the agent takes it. */
export function limitsRefusal(
  what: 'sync' | 'limits',
  limits: readonly SubscriberLimit[],
  nowMs: number,
): string | undefined {
  const problem = limitsProblem(limits, nowMs)
  return problem && `refused the controller's ${what} (${problem}); enforcing the last good limits`
}
