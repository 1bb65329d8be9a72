/**
 * The period's usage per day (download and upload stacked, left scale) with the running total and
 * the allowance drawn over it (right scale): the plan's cap, and each top-up or rollover stacked
 * on it from the day it applied. Server-drawn SVG with a title, a description and a table.
 */
import type { CountDirection } from '@capd/protocol'
import type { DayPoint } from '../domain/usage-history-read.js'
import type { BucketView } from '../store/entities.js'
import { bytes, date } from './format.js'

const W = 520
const H = 260
const LEFT = 64
const RIGHT = 64
const TOP = 16
const BOTTOM = 30
export const DOWN_FILL = '#2f6fb3'
export const UP_FILL = '#8fbce6'
const BUCKET_STROKE: Record<BucketView['kind'], string> = {
  plan: '#b3261e',
  topup: '#6a3fb5',
  rollover: '#1f7a4d',
}

export interface DailyUsageChartProps {
  id: string
  days: readonly DayPoint[]
  buckets: readonly BucketView[]
  count: CountDirection
  nowMs: number
  timeZone: string
}

/** What a bucket adds to the allowance at `atMs`: nothing before it applies, its size while valid, its used part once expired. */
function contribution(b: BucketView, atMs: number): number {
  if (atMs < b.validFromMs) return 0
  return atMs < b.validUntilMs && !b.expired ? b.sizeBytes : b.usedBytes
}

const counted = (count: CountDirection, d: { down: number; up: number }) =>
  count === 'down' ? d.down : count === 'up' ? d.up : d.down + d.up

export function DailyUsageChart({ id, days, buckets, count, nowMs, timeZone }: DailyUsageChartProps) {
  const n = Math.max(1, days.length)
  const plotW = W - LEFT - RIGHT
  const plotH = H - TOP - BOTTOM
  const x = (i: number) => LEFT + (i / n) * plotW
  const barW = Math.max(1, plotW / n - 2)
  const maxDay = Math.max(1, ...days.map((d) => d.down + d.up))
  const yDay = (b: number) => TOP + plotH - (b / maxDay) * plotH

  const ordered = [...buckets].sort((a, b) =>
    a.kind === 'plan' ? -1 : b.kind === 'plan' ? 1 : a.validFromMs - b.validFromMs,
  )
  // Each bucket's line is the allowance up to and including it, at the end of each day.
  const levels = ordered.map((_, k) =>
    days.map((d) => ordered.slice(0, k + 1).reduce((sum, b) => sum + contribution(b, d.endMs - 1), 0)),
  )
  let running = 0
  const past = days.filter((d) => d.startMs <= nowMs)
  const cumulative = past.map((d) => (running += counted(count, d)))
  const topTotal = Math.max(1, running, ...levels.flat()) * 1.1
  const yTotal = (b: number) => TOP + plotH - (b / topTotal) * plotH

  const title = `Daily usage, ${date(days[0]?.startMs ?? nowMs, timeZone)} to ${date((days[days.length - 1]?.endMs ?? nowMs) - 1, timeZone)}`
  const allowance = ordered
    .map((b) => `${b.label} ${bytes(b.sizeBytes)} from ${date(b.validFromMs, timeZone)}`)
    .join('; ')
  const desc = `Bars: download and upload per day (left scale). Line: ${running > 0 ? bytes(running) : 'nothing'} counted so far this period (right scale). Allowance lines: ${allowance || 'none'}.`

  return (
    <figure class="history-chart" id={id}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        <line x1={LEFT} y1={TOP + plotH} x2={W - RIGHT} y2={TOP + plotH} stroke="#8a94a3" />
        {days.map((d, i) => {
          const down = yDay(d.down)
          const top = yDay(d.down + d.up)
          return (
            <g class="day" data-day={d.day}>
              <rect x={x(i) + 1} y={down} width={barW} height={TOP + plotH - down} fill={DOWN_FILL}>
                <title>{`${d.day}: ${bytes(d.down)} down`}</title>
              </rect>
              <rect x={x(i) + 1} y={top} width={barW} height={down - top} fill={UP_FILL}>
                <title>{`${d.day}: ${bytes(d.up)} up`}</title>
              </rect>
            </g>
          )
        })}
        {ordered.map((b, k) => {
          const first = levels[k]!.findIndex((_, i) => days[i]!.endMs - 1 >= b.validFromMs)
          if (first < 0) return null
          let path = ''
          for (let i = first; i < days.length; i++) {
            const yi = yTotal(levels[k]![i]!)
            path += i === first ? `M${x(i)},${yi}` : ` V${yi}`
            path += ` H${x(i + 1)}`
          }
          const labelY = yTotal(levels[k]![first]!) - 4
          return (
            <g class={`bucket bucket-${b.kind}`} data-bucket={b.id}>
              <path
                d={path}
                fill="none"
                stroke={BUCKET_STROKE[b.kind]}
                stroke-width="1.5"
                stroke-dasharray="6 3"
              >
                <title>{`${b.label}: ${bytes(b.sizeBytes)}, from ${date(b.validFromMs, timeZone)}`}</title>
              </path>
              <text x={x(first) + 2} y={labelY} font-size="14" fill={BUCKET_STROKE[b.kind]}>
                {`${b.kind === 'plan' ? '' : '+'}${b.label.includes(bytes(b.sizeBytes)) ? b.label : `${b.label} ${bytes(b.sizeBytes)}`}`}
              </text>
            </g>
          )
        })}
        {cumulative.length > 0 ? (
          <polyline
            class="running-total"
            points={[`${x(0)},${yTotal(0)}`, ...cumulative.map((b, i) => `${x(i + 1)},${yTotal(b)}`)].join(
              ' ',
            )}
            fill="none"
            stroke="#1d2733"
            stroke-width="2"
          />
        ) : null}
        <text x={LEFT - 4} y={TOP + 10} font-size="14" fill="#5b6573" text-anchor="end">
          {bytes(maxDay)}
        </text>
        <text x={W - RIGHT + 4} y={TOP + 10} font-size="14" fill="#5b6573">
          {bytes(topTotal)}
        </text>
        <text x={LEFT} y={H - 8} font-size="14" fill="#5b6573">
          {days[0]?.day ?? ''}
        </text>
        <text x={W - RIGHT} y={H - 8} font-size="14" fill="#5b6573" text-anchor="end">
          {days[days.length - 1]?.day ?? ''}
        </text>
      </svg>
      <figcaption>
        <span class="key">
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" fill={DOWN_FILL} />
          </svg>{' '}
          download{' '}
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" fill={UP_FILL} />
          </svg>{' '}
          upload per day · solid line: total so far · dashed: allowance
        </span>
      </figcaption>
      <details>
        <summary>Daily usage as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" class="num">
                Download
              </th>
              <th scope="col" class="num">
                Upload
              </th>
              <th scope="col" class="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {past.map((d) => (
              <tr>
                <td>{d.day}</td>
                <td class="num">{bytes(d.down)}</td>
                <td class="num">{bytes(d.up)}</td>
                <td class="num">{bytes(d.down + d.up)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  )
}
