/**
 * What the home page's banner says about the data used: the highest of the plan's alert
 * percentages crossed now, or, at the cap, that access is paused or slowed. The same figures as
 * the usage summary, so the banner and the bar never disagree.
 */
import type { EnforcementState, OnCap } from '../store/entities.js'

export interface UsageBannerInput {
  usedBytes: number
  /** The whole allowance: the plan's cap and the top-ups of the period. */
  limitBytes: number
  /** The plan's alert percentages (plan.notifyAtPercent ?? DEFAULT_NOTIFY_AT_PERCENT). */
  notifyAtPercent: readonly number[]
  onCap: OnCap
  /** What the agent last said it enforces. */
  state: EnforcementState
}

export type UsageBanner =
  | { kind: 'threshold'; percent: number }
  /** The data is used up: access is `paused` (blocked) or `slowed` (throttled) until a top-up. */
  | { kind: 'cap'; cut: 'paused' | 'slowed' }

/**
 * The banner, or undefined below the first percentage. At the cap it is shown whatever the
 * percentages: being offline or slowed is a fact the page must say, not an alert one opts into.
 */
export function usageBanner(input: UsageBannerInput): UsageBanner | undefined {
  const used = BigInt(input.usedBytes)
  const limit = BigInt(input.limitBytes)
  if (used >= limit) return { kind: 'cap', cut: cutOf(input) }
  // Crossed when used / limit ≥ percent / 100, compared in integers (no rounding at the edge).
  let crossed: number | undefined
  for (const percent of input.notifyAtPercent) {
    if (used * 100n >= BigInt(percent) * limit && (crossed === undefined || percent > crossed))
      crossed = percent
  }
  return crossed === undefined ? undefined : { kind: 'threshold', percent: crossed }
}

/** The agent's word when it has acted; until then (a moment) the plan's, which it is about to apply. */
function cutOf({ state, onCap }: UsageBannerInput): 'paused' | 'slowed' {
  if (state === 'blocked') return 'paused'
  if (state === 'throttled') return 'slowed'
  return onCap === 'block' ? 'paused' : 'slowed'
}
