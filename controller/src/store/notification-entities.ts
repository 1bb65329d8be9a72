/**
 * The notification outbox: what was decided (a Notification, keyed so it is decided once) and
 * each message it sends (a Delivery per channel and recipient, retried until sent or given up).
 */

/** Events about one subscriber: decided in the transaction of the usage or money change. */
export const SUBSCRIBER_EVENTS = [
  'usage.threshold',
  'usage.cap_reached',
  'usage.throttled',
  'topup.applied',
  'auto_topup.applied',
  'auto_topup.declined',
  'invoice.issued',
  'payment.received',
] as const
/** Events for the ISP's staff. */
export const OPERATOR_EVENTS = ['agent.offline', 'agent.back', 'webhook.refused', 'store.near_full'] as const
export const NOTIFICATION_EVENTS = [...SUBSCRIBER_EVENTS, ...OPERATOR_EVENTS] as const

export type SubscriberEvent = (typeof SUBSCRIBER_EVENTS)[number]
export type OperatorEvent = (typeof OPERATOR_EVENTS)[number]
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number]

/** Usage alerts: the customer picks e-mail and/or SMS for them (an empty choice turns them off). */
export const USAGE_ALERT_EVENTS: readonly SubscriberEvent[] = [
  'usage.threshold',
  'usage.cap_reached',
  'usage.throttled',
  'auto_topup.declined',
]
/** Receipts: e-mail only, and the customer may turn them off. */
export const ACCOUNT_EVENTS: readonly SubscriberEvent[] = [
  'topup.applied',
  'auto_topup.applied',
  'invoice.issued',
  'payment.received',
]

export type Channel = 'email' | 'sms' | 'webhook'
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'webhook']

/** Template variables, each already formatted for people (`{{used}}` = "4.5 GB"). */
export type NotificationVars = Readonly<Record<string, string>>
/** The same facts for machines (webhook bodies): bytes as numbers, times as ISO strings. */
export type NotificationData = Readonly<Record<string, string | number | boolean | null>>

export interface Notification {
  /**
   * The decision's key, so the same event is never decided twice: `<event>/<subscriber>/…`
   * (see notify/queue.ts for each event's key).
   */
  readonly id: string
  readonly event: NotificationEvent
  readonly subscriberId?: string
  readonly agentId?: string
  readonly vars: NotificationVars
  readonly data: NotificationData
  readonly createdAtMs: number
}

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed'

export interface Delivery {
  /** Time-ordered (newId), so the delivery log lists newest last without a sort. */
  readonly id: string
  readonly notificationId: string
  readonly event: NotificationEvent
  readonly subscriberId?: string
  readonly channel: Channel
  /** The e-mail address, the E.164 number, or the webhook endpoint's id. */
  readonly to: string
  readonly status: DeliveryStatus
  /** Attempts started (a `sending` row counts its own). */
  readonly attempts: number
  /**
   * When the sender next takes it: for `queued`, the next try; for `sending`, the end of the
   * lease (a sender that crashed mid-send leaves it, and it is tried again after this).
   */
  readonly nextAttemptAtMs: number
  /** No retry starts after this; the delivery then ends `failed`. */
  readonly giveUpAtMs: number
  readonly lastAttemptAtMs?: number
  readonly lastError?: string
  readonly sentAtMs?: number
  /** The provider's id for the message (SMTP Message-ID, SMS id, webhook answer status). */
  readonly providerRef?: string
  readonly createdAtMs: number
}

export interface WebhookEndpoint {
  readonly id: string
  readonly url: string
  /** The HMAC key of `X-Capd-Signature` (shown to the operator, never logged). */
  readonly secret: string
  /** The events it receives; empty = all. */
  readonly events: readonly NotificationEvent[]
  readonly enabled: boolean
  readonly description?: string
  readonly createdAtMs: number
}

/** A customer's choices (absent = the defaults: both channels where a contact exists, receipts on). */
export interface AlertChoices {
  /** Usage alerts by e-mail. */
  readonly email: boolean
  /** Usage alerts by SMS. */
  readonly sms: boolean
  /** Receipts (top-up applied, invoice issued, payment received) by e-mail. */
  readonly receipts: boolean
}

export const DEFAULT_ALERT_CHOICES: AlertChoices = { email: true, sms: true, receipts: true }

/** A plan's usage alerts when it names none. */
export const DEFAULT_NOTIFY_AT_PERCENT: readonly number[] = [80, 100]
