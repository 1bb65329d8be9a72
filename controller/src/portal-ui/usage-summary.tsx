/** The home page's live figures: data left, the bar, when it will run out, the buckets, the balance (the usage banner says when it is used up). */
import { bytes, date, money } from '../ui/format.js'
import type { RunOut } from '../ui/run-out.js'
import { aboutDuration, runOutWhen, SOON_MS } from '../ui/run-out-text.js'
import { UsageBar } from '../ui/usage-bar.js'
import type { MeView } from './home-view.js'
import { UsageBuckets } from './usage-buckets.js'

export interface UsageSummaryProps {
  me: MeView
  runOut: RunOut
  periodEndMs: number
  timeZone: string
}

export function UsageSummary({ me, runOut, periodEndMs, timeZone }: UsageSummaryProps) {
  return (
    <div id="usage" data-live>
      <p class="remaining">{`${bytes(me.usage.remainingBytes)} left`}</p>
      <UsageBar usedBytes={me.usage.usedBytes} limitBytes={me.usage.limitBytes} label="Your data" />
      {/* Used up: the banner above says so, and what it means for the connection. */}
      {runOut.kind === 'reached' ? null : <p>{runOutText(runOut, periodEndMs, timeZone)}</p>}
      <UsageBuckets me={me} timeZone={timeZone} />
      {me.suspension ? null : <LiftingNotice state={me.state} remainingBytes={me.usage.remainingBytes} />}
      <p class="balance">{`Balance: ${money(me.balance)}`}</p>
    </div>
  )
}

function runOutText(
  runOut: Exclude<RunOut, { kind: 'reached' }>,
  periodEndMs: number,
  timeZone: string,
): string {
  switch (runOut.kind) {
    case 'at':
      if (runOut.inMs < SOON_MS) return `At this rate, your data runs out in ${aboutDuration(runOut.inMs)}`
      return `At this rate, your data runs out around ${runOutWhen(runOut.atMs, runOut.inMs, timeZone)}`
    case 'not_this_period':
      // The period's end is the first instant of the next one: name the last day it covers.
      return `Enough until the period ends on ${date(periodEndMs - 1, timeZone)}`
  }
}

/**
 * The agent's state lags the books by a moment: with data left again (a top-up), the block or
 * the slow-down is being lifted. Still at the cap, the usage banner says what the cut-off means.
 */
function LiftingNotice({ state, remainingBytes }: { state: MeView['state']; remainingBytes: number }) {
  if (remainingBytes <= 0) return null
  if (state === 'blocked') {
    return (
      <p class="notice pending">
        You are offline until your connection gets your new limit. This takes a moment.
      </p>
    )
  }
  if (state === 'throttled') {
    return (
      <p class="notice pending">
        Your connection is slowed until it gets your new limit. This takes a moment.
      </p>
    )
  }
  return null
}
