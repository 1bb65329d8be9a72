/** The usage history section shared by the operator's subscriber page and the portal: daily chart with buckets, hourly chart, CSV links. */
import { DailyUsageChart } from './daily-usage-chart.js'
import { HourlyUsageChart } from './hourly-usage-chart.js'
import type { UsageChartsData } from './usage-history-data.js'

export interface UsageHistorySectionProps {
  h: UsageChartsData
  timeZone: string
  /** The page the day picker reloads (with `?day=`), ending in `#usage-history`. */
  pagePath: string
  /** Where the CSV is downloaded from (`?from&to&granularity` appended). */
  csvPath: string
}

export function UsageHistorySection({ h, timeZone, pagePath, csvPath }: UsageHistorySectionProps) {
  const first = h.days[0]?.day ?? h.today
  const last = h.days[h.days.length - 1]?.day ?? h.today
  const hourFrom = h.hourDay ?? h.hours[0]?.day ?? h.today
  const hourTo = h.hourDay ?? h.today
  const q = (from: string, to: string, granularity: 'day' | 'hour') =>
    `${csvPath}?from=${from}&to=${to < h.today ? to : h.today}&granularity=${granularity}`
  return (
    <section id="usage-history" class="card" aria-labelledby="usage-history-title">
      <h2 id="usage-history-title">Usage history</h2>
      <DailyUsageChart
        id="daily-usage"
        days={h.days}
        buckets={h.buckets}
        count={h.count}
        nowMs={h.nowMs}
        timeZone={timeZone}
      />
      <h3 id="hourly-title">{h.hourDay ? `Hours of ${h.hourDay}` : 'The last 48 hours'}</h3>
      <HourlyUsageChart
        id="hourly-usage"
        hours={h.hours}
        title={h.hourDay ? `Usage per hour on ${h.hourDay}` : 'Usage per hour, the last 48 hours'}
      />
      <form method="get" action={pagePath} class="inline">
        <label>
          Show the hours of{' '}
          <input
            type="date"
            name="day"
            min={h.firstHourDay}
            max={h.today}
            value={h.hourDay ?? h.today}
            required
          />
        </label>{' '}
        <button type="submit">Show</button>
      </form>
      <p>
        Download CSV: <a href={q(first, last, 'day')}>this period by day</a> ·{' '}
        <a href={q(hourFrom, hourTo, 'hour')}>these hours</a>
      </p>
    </section>
  )
}
