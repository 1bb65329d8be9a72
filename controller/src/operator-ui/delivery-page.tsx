/** One message of the delivery log: to whom, its attempts, its last error and provider id, and the message itself. */
import type { Hono } from 'hono'
import { notFound } from '../domain/refusal.js'
import type { RenderedMessage } from '../notify/channel.js'
import { renderMessage } from '../notify/render.js'
import type { Delivery, Notification } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { dateTime } from '../ui/format.js'
import { type DeliveryRow, deliveryRows, type Recipient } from './deliveries-data.js'
import { CHANNEL_LABELS, DeliveryBadge, EVENT_LABELS } from './delivery-labels.js'
import { RecipientCell } from './delivery-recipient.js'
import { deliveryPath, mayResend, ResendForm } from './delivery-resend.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { type Frame, frame, type OperatorKit } from './operator-kit.js'

interface DeliveryPageData {
  delivery: Delivery
  recipient: Recipient
  notification: Notification | undefined
  /** The message as it reads now (the figures fixed when it was decided; see notify/vars.ts). */
  message: RenderedMessage | undefined
  /** Every message of the same notification (other channels and recipients, and those sent again). */
  related: DeliveryRow[]
}

export function deliveryPage(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  ui.get('/notifications/:id', kit.page, async (c) => {
    const id = c.req.param('id')
    const data = await store.peek(async (tx): Promise<DeliveryPageData> => {
      const delivery = await tx.deliveries.get(id)
      if (!delivery) throw notFound('message', id)
      const [row] = await deliveryRows(tx, [delivery])
      const notification = await tx.notifications.get(delivery.notificationId)
      const message =
        notification && delivery.channel !== 'webhook'
          ? await renderMessage(tx, env, notification, delivery.channel)
          : undefined
      const related = await deliveryRows(
        tx,
        notification ? await tx.deliveries.forNotification(notification.id) : [],
      )
      return { delivery, recipient: row!.recipient, notification, message, related }
    })
    const f = frame(c)
    const title = `${EVENT_LABELS[data.delivery.event]}: ${CHANNEL_LABELS[data.delivery.channel]}`
    return c.html(
      <OperatorPage {...f} title={title} section="notifications">
        <p>
          <a href="/notifications">All messages</a>
        </p>
        <h1>{title}</h1>
        <Facts d={data} f={f} timeZone={env.timeZone} />
        <Message d={data} />
        <Related d={data} timeZone={env.timeZone} />
      </OperatorPage>,
    )
  })
}

function Facts({ d, f, timeZone }: { d: DeliveryPageData; f: Frame; timeZone: string }) {
  const { delivery: m } = d
  const at = (ms: number | undefined) => (ms === undefined ? '—' : dateTime(ms, timeZone))
  const open = m.status === 'queued' || m.status === 'sending'
  return (
    <section class="card" aria-labelledby="delivery-title">
      <h2 id="delivery-title">Delivery</h2>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <DeliveryBadge status={m.status} />
        </dd>
        <dt>Recipient</dt>
        <dd>
          <RecipientCell r={d.recipient} />
        </dd>
        <dt>Queued</dt>
        <dd>{at(m.createdAtMs)}</dd>
        <dt>Attempts</dt>
        <dd>{String(m.attempts)}</dd>
        <dt>Last attempt</dt>
        <dd>{at(m.lastAttemptAtMs)}</dd>
        {open ? (
          <>
            <dt>Next attempt</dt>
            <dd>{at(m.nextAttemptAtMs)}</dd>
            <dt>Given up after</dt>
            <dd>{at(m.giveUpAtMs)}</dd>
          </>
        ) : null}
        <dt>Sent</dt>
        <dd>{at(m.sentAtMs)}</dd>
        <dt>Provider's id</dt>
        <dd>{m.providerRef ?? '—'}</dd>
        <dt>Last error</dt>
        <dd>{m.lastError ?? '—'}</dd>
      </dl>
      {mayResend(f, m) ? <ResendForm d={m} csrf={f.csrf} /> : null}
    </section>
  )
}

function Message({ d }: { d: DeliveryPageData }) {
  return (
    <section aria-labelledby="message-title">
      <h2 id="message-title">Message</h2>
      {!d.notification ? (
        <p class="empty">Its notification is no longer kept.</p>
      ) : d.message ? (
        <>
          <p>
            <strong>{d.message.subject}</strong>
          </p>
          <pre class="message-text">{d.message.text}</pre>
        </>
      ) : (
        <pre class="message-text">{JSON.stringify(d.notification.data, null, 2)}</pre>
      )}
    </section>
  )
}

function Related({ d, timeZone }: { d: DeliveryPageData; timeZone: string }) {
  return (
    <section aria-labelledby="related-title">
      <h2 id="related-title">Every message of this notification</h2>
      <DataTable
        rows={d.related}
        labelledBy="related-title"
        empty="None."
        columns={[
          {
            header: 'Queued',
            cell: ({ delivery: r }) =>
              r.id === d.delivery.id ? (
                <span aria-current="page">{`${dateTime(r.createdAtMs, timeZone)} (this one)`}</span>
              ) : (
                <a href={deliveryPath(r.id)}>{dateTime(r.createdAtMs, timeZone)}</a>
              ),
          },
          { header: 'Recipient', cell: (row) => <RecipientCell r={row.recipient} /> },
          { header: 'Channel', cell: ({ delivery: r }) => CHANNEL_LABELS[r.channel] },
          { header: 'Status', cell: ({ delivery: r }) => <DeliveryBadge status={r.status} /> },
          { header: 'Attempts', num: true, cell: ({ delivery: r }) => String(r.attempts) },
        ]}
      />
    </section>
  )
}
