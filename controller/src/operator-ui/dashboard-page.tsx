/** The dashboard: who is near their cap, who is blocked, which agents are online, money received this month and what open invoices still ask for. */
import { money } from '../ui/format.js'
import { UsageBar } from '../ui/usage-bar.js'
import type { Dashboard, SubscriberFigure } from './dashboard-data.js'

export function DashboardFigures({ d }: { d: Dashboard }) {
  return (
    <div id="dashboard" data-live>
      <div class="cards">
        <Card caption="Near their cap" figure={String(d.nearCap.count)} />
        <Card caption="Blocked now" figure={String(d.blocked.count)} />
        <Card caption="Agents online" figure={`${d.agents.online} of ${d.agents.total}`} />
        <Card caption="Received this month" figure={money(d.revenueThisMonth)} />
        <Card
          caption={`Outstanding (${d.outstanding.invoices} open invoice${d.outstanding.invoices === 1 ? '' : 's'})`}
          figure={money(d.outstanding.amount)}
        />
      </div>
      <div class="columns">
        <SubscriberList
          id="near-cap"
          title="Closest to their cap"
          rows={d.nearCap.top}
          count={d.nearCap.count}
          empty="Nobody is near their cap."
        />
        <SubscriberList
          id="blocked"
          title="Blocked subscribers"
          rows={d.blocked.first}
          count={d.blocked.count}
          empty="Nobody is blocked."
          more="/subscribers?state=blocked"
        />
      </div>
    </div>
  )
}

function Card({ caption, figure }: { caption: string; figure: string }) {
  return (
    <div class="card">
      <div class="figure">{figure}</div>
      <div class="caption">{caption}</div>
    </div>
  )
}

function SubscriberList(p: {
  id: string
  title: string
  rows: SubscriberFigure[]
  count: number
  empty: string
  more?: string
}) {
  const titleId = `${p.id}-title`
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId}>{p.title}</h2>
      {p.rows.length === 0 ? (
        <p class="empty">{p.empty}</p>
      ) : (
        <ul class="subscriber-list">
          {p.rows.map(({ sub, usage }) => (
            <li>
              <a href={`/subscribers/${encodeURIComponent(sub.id)}`}>{sub.name}</a>
              <UsageBar usedBytes={usage.usedBytes} limitBytes={usage.limitBytes} label={sub.name} />
            </li>
          ))}
        </ul>
      )}
      {p.count > p.rows.length ? (
        <p class="muted">
          {`Showing ${p.rows.length} of ${p.count}.`} {p.more ? <a href={p.more}>See all</a> : null}
        </p>
      ) : null}
    </section>
  )
}
