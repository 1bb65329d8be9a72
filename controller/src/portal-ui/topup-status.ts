/**
 * Where a customer's new top-up stands: pending until the agent enforces a limit that includes it,
 * then applied (or, for someone who bought while cut off or slowed, access restored), and used up
 * once the usage has reached that limit.
 */
import type { EnforcementState, Subscriber, TopUp } from '../store/entities.js'

export type TopUpStatus = 'pending' | 'applied' | 'restored' | 'used_up'

export interface TopUpStatusInput {
  /** The session's subscriber: a top-up of anyone else has no status here. */
  sub: Pick<Subscriber, 'id' | 'state' | 'limitVersion' | 'appliedLimitVersion' | 'limitTerms'>
  /** The limit with every valid top-up counted (usageView(...).limitBytes). */
  limitBytes: number
  /** The usage booked this period (usageView(...).usedBytes). */
  usedBytes: number
  /** The top-up the page was asked about, if it exists at all. */
  topUp: Pick<TopUp, 'subscriberId'> | undefined
  /** The state the customer bought in, as the purchase's redirect said (`was=`). */
  was: string | undefined
}

const CUT_OFF: readonly string[] = ['blocked', 'throttled'] satisfies EnforcementState[]

/** Undefined when the top-up does not exist or is not this subscriber's: there is nothing to show. */
export function topUpStatus({
  sub,
  limitBytes,
  usedBytes,
  topUp,
  was,
}: TopUpStatusInput): TopUpStatus | undefined {
  if (!topUp || topUp.subscriberId !== sub.id) return undefined
  const termsInclude = (sub.limitTerms?.limitBytes ?? 0) >= limitBytes
  // appliedLimitVersion is what the agent last said it enforces; the books may be ahead of it.
  const agentCaughtUp = (sub.appliedLimitVersion ?? 0) >= (sub.limitVersion ?? 0)
  if (!termsInclude || !agentCaughtUp) return 'pending'
  // Blocked or slowed at a version that includes the top-up, with all of it used: nothing is
  // being applied any more (a page reopened later must not say so).
  if (usedBytes >= limitBytes && sub.state !== 'open') return 'used_up'
  if (sub.state === 'blocked') return 'pending'
  return was !== undefined && CUT_OFF.includes(was) && sub.state === 'open' ? 'restored' : 'applied'
}
