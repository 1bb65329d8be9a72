/** The portal's list of the customer's data this period, bucket by bucket, in plain words. */
import type { BucketJson } from '../domain/allowance-shown.js'
import { bytes, date, dateTime } from '../ui/format.js'
import type { MeView } from './home-view.js'

function bucketName(b: BucketJson, timeZone: string): string {
  switch (b.kind) {
    case 'plan':
      return 'Your plan’s data'
    case 'topup':
      return `Top-up from ${date(Date.parse(b.validFrom), timeZone)}`
    case 'rollover':
      return 'Unused data carried over'
  }
}

/** "the end of 31 Mar 2026" for a midnight end (a period's, say), else "12 Mar 2026, 09:30". */
function untilText(ms: number, timeZone: string): string {
  const at = dateTime(ms, timeZone)
  return at.endsWith(', 00:00') ? `the end of ${date(ms - 1, timeZone)}` : at
}

function bucketText(b: BucketJson, timeZone: string): string {
  const untilMs = Date.parse(b.validUntil)
  const of = `${bytes(b.usedBytes)} of ${bytes(b.sizeBytes)} used`
  if (b.expired) {
    const lost = b.leftBytes > 0 ? `, the unused ${bytes(b.leftBytes)} is gone` : ''
    return `${of}; ended ${dateTime(untilMs, timeZone)}${lost}`
  }
  return `${bytes(b.leftBytes)} left (${of}), until ${untilText(untilMs, timeZone)}`
}

/** One bucket alone says nothing the figures above do not: the list shows from two on. */
export function UsageBuckets({ me, timeZone }: { me: MeView; timeZone: string }) {
  if (me.buckets.length < 2 && !me.freeBytes) return null
  return (
    <div class="buckets">
      <h2 id="buckets-title">Where your data comes from</h2>
      <ul aria-labelledby="buckets-title">
        {me.buckets.map((b) => (
          <li class={b.expired ? 'expired' : undefined}>
            <strong>{bucketName(b, timeZone)}</strong>
            {`: ${bucketText(b, timeZone)}`}
          </li>
        ))}
      </ul>
      {me.freeBytes ? (
        <p class="muted">{`Used in free hours, not taken from your data: ${bytes(me.freeBytes)}`}</p>
      ) : null}
    </div>
  )
}
