/** The home page's live figures: data left, the bar, when it will run out, the balance. */
import { bytes, date, money } from '../ui/format.js'
import type { RunOut } from '../ui/run-out.js'
import { UsageBar } from '../ui/usage-bar.js'
import type { MeView } from './home-view.js'

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
      {runOut.kind === 'reached' && me.state !== 'open' ? null : (
        <p>{runOutText(runOut, periodEndMs, timeZone)}</p>
      )}
      {/* Suspended: the suspension notice says why the customer is offline, not the data left. */}
      {me.suspension ? null : <CutOffNotice state={me.state} remainingBytes={me.usage.remainingBytes} />}
      <p class="balance">{`Balance: ${money(me.balance)}`}</p>
    </div>
  )
}

function runOutText(runOut: RunOut, periodEndMs: number, timeZone: string): string {
  switch (runOut.kind) {
    case 'at':
      return `Projected to run out on ${date(runOut.atMs, timeZone)}`
    case 'not_this_period':
      // The period's end is the first instant of the next one: name the last day it covers.
      return `Enough until the period ends on ${date(periodEndMs - 1, timeZone)}`
    case 'reached':
      // Shown only while the agent has not acted on it yet; then the cut-off notice says it.
      return 'You have used all the data of this period.'
  }
}

function CutOffNotice({ state, remainingBytes }: { state: MeView['state']; remainingBytes: number }) {
  // The agent's state lags the books by a moment: with data left again, the block is being lifted.
  if (state === 'blocked' && remainingBytes > 0) {
    return (
      <p class="notice pending">
        You are offline until your connection gets your new limit. This takes a moment.
      </p>
    )
  }
  if (state === 'blocked') {
    return <p class="notice error">Your data is used up. Buy a top-up to get back online.</p>
  }
  if (state === 'throttled') {
    return (
      <p class="notice pending">
        Your data is used up, so your connection is slowed. Buy a top-up for full speed.
      </p>
    )
  }
  return null
}
