/** What every notification channel (e-mail, SMS, webhook) implements, and what it is handed. */
import type { Channel, Delivery, Notification, WebhookEndpoint } from '../store/entities.js'

/** A message rendered from its template: e-mail uses all three, SMS the text, webhooks none. */
export interface RenderedMessage {
  subject: string
  text: string
  html?: string
}

export interface OutgoingMessage {
  delivery: Delivery
  notification: Notification
  message: RenderedMessage
  /** For a webhook delivery: the endpoint it goes to. */
  endpoint?: WebhookEndpoint
}

/**
 * A send's outcome. `retry: false` is for answers that will never change (an address the server
 * refuses, a number the gateway rejects): the delivery fails at once instead of for a day.
 */
export type SendOutcome = { ok: true; ref?: string } | { ok: false; error: string; retry: boolean }

export interface ChannelSender {
  readonly channel: Channel
  /** Must not throw for a failed send (it answers `ok: false`); a throw is taken as a retryable failure. */
  send(out: OutgoingMessage): Promise<SendOutcome>
  /** Releases connections (an SMTP pool). */
  close?(): void
}
