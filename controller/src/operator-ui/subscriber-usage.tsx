/** The subscriber page's live usage region: data left, bar, state, projected run-out, period and buckets (the charts are in the usage history section). */
import { bytes, date } from '../ui/format.js'
import type { RunOut } from '../ui/run-out.js'
import { aboutDuration, runOutWhen, SOON_MS } from '../ui/run-out-text.js'
import { UsageBar } from '../ui/usage-bar.js'
import { StateBadge } from './state-badge.js'
import { SubscriberBuckets } from './subscriber-buckets.js'
import type { SubscriberPageData } from './subscriber-page-data.js'

export function runOutText(runOut: RunOut, timeZone: string): string {
  switch (runOut.kind) {
    case 'reached':
      return 'Limit reached'
    case 'not_this_period':
      return 'Not projected to reach the limit this period'
    case 'at': {
      const pace = runOut.basis === 'recent' ? 'recent rate' : 'this period’s pace'
      if (runOut.inMs < SOON_MS)
        return `At this rate, the data runs out in ${aboutDuration(runOut.inMs)} (${pace})`
      return `Runs out around ${runOutWhen(runOut.atMs, runOut.inMs, timeZone)} (${pace})`
    }
  }
}

export function SubscriberUsage({ d, timeZone }: { d: SubscriberPageData; timeZone: string }) {
  const { usage, period } = d
  return (
    <section id="usage" data-live class="card" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <p class="remaining">{`${bytes(usage.remainingBytes)} left`}</p>
      <UsageBar usedBytes={usage.usedBytes} limitBytes={usage.limitBytes} />
      <p>
        State: <StateBadge state={d.sub.state} />
      </p>
      <p class="run-out">{runOutText(d.runOut, timeZone)}</p>
      {/* The period's end is exclusive: its last day is the one before. */}
      <p class="muted">{`Period: ${date(period.startMs, timeZone)} to ${date(period.endMs - 1, timeZone)}`}</p>
      <SubscriberBuckets allowance={d.allowance} timeZone={timeZone} />
    </section>
  )
}
