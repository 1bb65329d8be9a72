/** The subscriber's last messages (alerts, receipts), linking to the delivery log. */
import type { Delivery } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { dateTime } from '../ui/format.js'
import { CHANNEL_LABELS, DeliveryBadge, EVENT_LABELS } from './delivery-labels.js'
import { deliveryPath } from './delivery-resend.js'

/** How many the subscriber page lists; the rest are in the log. */
export const SUBSCRIBER_MESSAGES = 10

export function SubscriberMessages(p: {
  subscriberId: string
  messages: readonly Delivery[]
  timeZone: string
}) {
  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      <DataTable
        rows={p.messages}
        labelledBy="messages-title"
        empty="No message was sent to this subscriber."
        columns={[
          {
            header: 'Time',
            cell: (d) => <a href={deliveryPath(d.id)}>{dateTime(d.createdAtMs, p.timeZone)}</a>,
          },
          { header: 'Event', cell: (d) => EVENT_LABELS[d.event] },
          { header: 'Channel', cell: (d) => CHANNEL_LABELS[d.channel] },
          { header: 'To', cell: (d) => (d.channel === 'webhook' ? 'webhook' : d.to) },
          { header: 'Status', cell: (d) => <DeliveryBadge status={d.status} /> },
        ]}
      />
      <p>
        <a href={`/notifications?subscriberId=${encodeURIComponent(p.subscriberId)}`}>All messages</a>
      </p>
    </section>
  )
}
