/** The period's usage as a cumulative line against the limit, day by day, in SVG with a text summary. */
import { bytes } from './format.js'

export interface UsageChartProps {
  /** Bytes booked per day of the period, day 0 first (see Subscriber.dailyUsage). */
  dailyBytes: readonly number[]
  /** Days in the period. */
  days: number
  limitBytes: number
  usedBytes: number
}

const W = 600
const H = 200
const PAD = 28

export function UsageChart({ dailyBytes, days, limitBytes, usedBytes }: UsageChartProps) {
  let total = 0
  const cumulative = dailyBytes.slice(0, days).map((b) => (total += b))
  const top = Math.max(limitBytes, usedBytes, 1) * 1.1
  const x = (day: number) => PAD + (day / Math.max(1, days)) * (W - 2 * PAD)
  const y = (b: number) => H - PAD - (b / top) * (H - 2 * PAD)
  const points = [`${x(0)},${y(0)}`, ...cumulative.map((b, i) => `${x(i + 1)},${y(b)}`)].join(' ')
  const limitY = y(limitBytes)
  const summary = `Usage this period: ${bytes(usedBytes)} of ${bytes(limitBytes)}, over ${cumulative.length} of ${days} days.`
  return (
    <figure class="usage-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <line class="axis" x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} />
        <line class="limit" x1={PAD} y1={limitY} x2={W - PAD} y2={limitY} />
        <text class="label" x={W - PAD} y={limitY - 6} text-anchor="end">
          {`limit ${bytes(limitBytes)}`}
        </text>
        <polyline class="used" points={points} />
        <text class="label" x={PAD} y={H - 8}>
          day 1
        </text>
        <text class="label" x={W - PAD} y={H - 8} text-anchor="end">
          {`day ${days}`}
        </text>
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  )
}
