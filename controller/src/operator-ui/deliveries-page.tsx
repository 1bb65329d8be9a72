/** The Notifications section: the delivery log (every message, filtered, 50 a page, newest first) and "Send again". */
import type { Hono } from 'hono'
import { NOTIFICATION_EVENTS } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { dateTime } from '../ui/format.js'
import { Select } from '../ui/forms.js'
import {
  type DeliveriesPageData,
  type DeliveryRow,
  deliveriesUrl,
  loadDeliveries,
} from './deliveries-data.js'
import { CHANNEL_LABELS, DeliveryBadge, EVENT_LABELS, STATUS_LABELS } from './delivery-labels.js'
import { deliveryPage } from './delivery-page.js'
import { RecipientCell } from './delivery-recipient.js'
import { deliveryPath, mayResend, ResendForm, resendRoute } from './delivery-resend.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { type Frame, frame, type OperatorKit } from './operator-kit.js'

export function deliveriesPage(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  ui.get('/notifications', kit.page, async (c) => {
    const data = await store.peek((tx) => loadDeliveries(tx, c.req.query()))
    const f = frame(c)
    return c.html(
      <OperatorPage {...f} title="Notifications" section="notifications">
        <h1>Notifications</h1>
        <p>
          Every message sent or being sent: usage alerts and receipts to customers, alerts to staff, and
          webhook calls. A message that could not be sent is tried again for a day.
        </p>
        <DeliveryFilters data={data} />
        <DeliveryLog data={data} f={f} timeZone={env.timeZone} />
      </OperatorPage>,
    )
  })

  deliveryPage(ui, kit)
  resendRoute(ui, kit)
}

function DeliveryFilters({ data }: { data: DeliveriesPageData }) {
  const s = data.search
  const any = { value: '', label: 'Any' }
  return (
    <search aria-label="Filter the messages">
      <form method="get" action="/notifications" class="inline">
        {s.subscriberId ? <input type="hidden" name="subscriberId" value={s.subscriberId} /> : null}
        <Select
          id="status"
          label="Status"
          value={s.status ?? ''}
          options={[any, ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))]}
        />
        <Select
          id="channel"
          label="Channel"
          value={s.channel ?? ''}
          options={[any, ...Object.entries(CHANNEL_LABELS).map(([value, label]) => ({ value, label }))]}
        />
        <Select
          id="event"
          label="Event"
          value={s.event ?? ''}
          options={[any, ...NOTIFICATION_EVENTS.map((e) => ({ value: e, label: EVENT_LABELS[e] }))]}
        />
        <button type="submit" class="button secondary">
          Filter
        </button>
      </form>
      {data.search.subscriberId ? (
        <p>
          {`Only the messages of ${data.subscriberName ?? data.search.subscriberId}. `}
          <a href={deliveriesUrl({ ...data.search, subscriberId: undefined, before: undefined })}>
            Everyone's messages
          </a>
        </p>
      ) : null}
    </search>
  )
}

function DeliveryLog({ data, f, timeZone }: { data: DeliveriesPageData; f: Frame; timeZone: string }) {
  return (
    <div id="deliveries">
      <DataTable
        rows={data.rows}
        empty="No message matches."
        columns={[
          {
            header: 'Time',
            cell: ({ delivery: d }) => <a href={deliveryPath(d.id)}>{dateTime(d.createdAtMs, timeZone)}</a>,
          },
          { header: 'Event', cell: ({ delivery: d }) => EVENT_LABELS[d.event] },
          { header: 'Recipient', cell: (row: DeliveryRow) => <RecipientCell r={row.recipient} /> },
          { header: 'Channel', cell: ({ delivery: d }) => CHANNEL_LABELS[d.channel] },
          { header: 'Status', cell: ({ delivery: d }) => <DeliveryBadge status={d.status} /> },
          { header: 'Attempts', num: true, cell: ({ delivery: d }) => String(d.attempts) },
          {
            header: 'Next attempt',
            cell: ({ delivery: d }) =>
              d.status === 'queued' || d.status === 'sending' ? dateTime(d.nextAttemptAtMs, timeZone) : '',
          },
          { header: 'Last error', cell: ({ delivery: d }) => d.lastError ?? '' },
          {
            header: '',
            cell: ({ delivery: d }) => (mayResend(f, d) ? <ResendForm d={d} csrf={f.csrf} /> : null),
          },
        ]}
      />
      <nav class="pager" aria-label="Pages">
        {data.search.before ? <a href={deliveriesUrl(data.search)}>Newest</a> : null}
        {data.nextCursor ? <a href={deliveriesUrl(data.search, data.nextCursor)}>Older messages</a> : null}
      </nav>
    </div>
  )
}
