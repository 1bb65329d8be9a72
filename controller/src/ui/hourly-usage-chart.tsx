/** Usage per hour (download and upload stacked) for one day or the last 48 hours, in SVG with a title, a description and a table. */
import { DOWN_FILL, UP_FILL } from './daily-usage-chart.js'
import { bytes } from './format.js'
import type { DayHour } from './usage-history-data.js'

const W = 520
const H = 200
const LEFT = 64
const RIGHT = 16
const TOP = 16
const BOTTOM = 30

export function HourlyUsageChart({
  id,
  hours,
  title,
}: {
  id: string
  hours: readonly DayHour[]
  title: string
}) {
  const n = Math.max(1, hours.length)
  const plotW = W - LEFT - RIGHT
  const plotH = H - TOP - BOTTOM
  const x = (i: number) => LEFT + (i / n) * plotW
  const barW = Math.max(1, plotW / n - 1)
  const max = Math.max(1, ...hours.map((h) => h.down + h.up))
  const y = (b: number) => TOP + plotH - (b / max) * plotH
  const total = hours.reduce((sum, h) => sum + h.down + h.up, 0)
  const busiest = hours.reduce<DayHour | undefined>(
    (best, h) => (!best || h.down + h.up > best.down + best.up ? h : best),
    undefined,
  )
  const desc = `${hours.length} hours, ${bytes(total)} in all${busiest && total > 0 ? `; busiest ${busiest.day} ${busiest.localTime} with ${bytes(busiest.down + busiest.up)}` : ''}.`
  return (
    <figure class="history-chart" id={id}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        <line x1={LEFT} y1={TOP + plotH} x2={W - RIGHT} y2={TOP + plotH} stroke="#8a94a3" />
        {hours.map((h, i) => {
          const down = y(h.down)
          const top = y(h.down + h.up)
          return (
            <g class="hour">
              <rect x={x(i)} y={down} width={barW} height={TOP + plotH - down} fill={DOWN_FILL} />
              <rect x={x(i)} y={top} width={barW} height={down - top} fill={UP_FILL} />
              <title>{`${h.day} ${h.localTime}: ${bytes(h.down)} down, ${bytes(h.up)} up`}</title>
              {/* A label every six hours of the local clock. */}
              {h.localTime.endsWith(':00') && Number(h.localTime.slice(0, 2)) % 6 === 0 ? (
                <text
                  x={x(i)}
                  y={H - 8}
                  font-size="13"
                  fill="#5b6573"
                  text-anchor={x(i) > W - 48 ? 'end' : 'start'}
                >
                  {h.localTime === '00:00' ? h.day.slice(5) : h.localTime}
                </text>
              ) : null}
            </g>
          )
        })}
        <text x={LEFT - 4} y={TOP + 10} font-size="14" fill="#5b6573" text-anchor="end">
          {bytes(max)}
        </text>
      </svg>
      <details>
        <summary>Hourly usage as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              <th scope="col" class="num">
                Download
              </th>
              <th scope="col" class="num">
                Upload
              </th>
            </tr>
          </thead>
          <tbody>
            {hours.map((h) => (
              <tr>
                <td>{`${h.day} ${h.localTime}`}</td>
                <td class="num">{bytes(h.down)}</td>
                <td class="num">{bytes(h.up)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  )
}
