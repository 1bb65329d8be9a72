/** The delivery log in plain words: what each event, channel and status is called on the pages. */
import type { Channel, DeliveryStatus, NotificationEvent } from '../store/entities.js'

export const EVENT_LABELS: Readonly<Record<NotificationEvent, string>> = {
  'usage.threshold': 'Usage alert',
  'usage.cap_reached': 'Allowance used up',
  'usage.throttled': 'Slowed down at the cap',
  'topup.applied': 'Top-up added',
  'auto_topup.applied': 'Auto top-up added',
  'auto_topup.declined': 'Auto top-up declined',
  'invoice.issued': 'Invoice issued',
  'payment.received': 'Payment received',
  'agent.offline': 'Agent offline',
  'agent.back': 'Agent back online',
  'webhook.refused': 'Payment webhook refused',
  'store.near_full': 'Data disk nearly full',
}

export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = {
  email: 'E-mail',
  sms: 'SMS',
  webhook: 'Webhook',
}

export const STATUS_LABELS: Readonly<Record<DeliveryStatus, string>> = {
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  failed: 'failed',
}

/** A delivery's status as a word in a badge (never colour alone). */
export const DeliveryBadge = ({ status }: { status: DeliveryStatus }) => (
  <span class={`badge delivery-${status}`}>{STATUS_LABELS[status]}</span>
)
