/**
 * The e-mail channel: a pooled SMTP transport (nodemailer) to the ISP's relay. Each message's
 * Message-ID is its delivery's id, so a repeat after a crash carries the same id as the first.
 */
import nodemailer, { type Transporter } from 'nodemailer'
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js'
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js'
import type { ChannelSender, OutgoingMessage, SendOutcome } from './channel.js'
import type { EmailConfig } from './email-config.js'

/**
 * A relay that does not answer is given up on well before the outbox's 5-minute lease runs out,
 * so the attempt is recorded (and retried) rather than taken for a crash. The URL may override these.
 */
const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }

export class EmailSender implements ChannelSender {
  readonly channel = 'email' as const
  private readonly transport: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>

  constructor(private readonly config: EmailConfig) {
    this.transport = nodemailer.createTransport({
      ...TIMEOUTS,
      ...parseConnectionUrl(config.smtpUrl),
      pool: true,
      // nodemailer's own logger would print the SMTP conversation, the AUTH line among it.
      logger: false,
      debug: false,
    })
  }

  async send(out: OutgoingMessage): Promise<SendOutcome> {
    const { delivery, message } = out
    try {
      const info = await this.transport.sendMail({
        from: this.config.from,
        to: delivery.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        messageId: messageId(delivery.id, this.config.fromDomain),
      })
      return { ok: true, ref: info.messageId }
    } catch (err) {
      return smtpFailure(err as SmtpError)
    }
  }

  close(): void {
    this.transport.close()
  }
}

/** `<dlv_…@acme.example>`: the same on every attempt of one delivery. */
export function messageId(deliveryId: string, fromDomain: string): string {
  return `<${deliveryId}@${fromDomain}>`
}

/** What nodemailer adds to the errors it rejects with. */
export interface SmtpError extends Error {
  code?: string
  responseCode?: number
  command?: string
}

/**
 * A 5xx answer to this message's recipient or content (550 no such user, 553 bad address, 554
 * refused) will be the same tomorrow: the delivery fails now. Everything else is retried: a relay
 * that is down, slow or answers 4xx, and also a 5xx to the login or the sender — the operator's
 * settings to fix, after which the waiting messages go out.
 */
export function smtpFailure(err: SmtpError): SendOutcome {
  const error = err.message || String(err)
  const code = err.responseCode
  const aboutThisMessage = err.command === 'RCPT TO' || err.command === 'DATA'
  if (code !== undefined && code >= 500 && code < 600 && aboutThisMessage) {
    return { ok: false, error, retry: false }
  }
  // Refused by nodemailer before any server saw it: an address that cannot be written to SMTP.
  if (err.code === 'EENVELOPE' && err.command === 'API') return { ok: false, error, retry: false }
  return { ok: false, error, retry: true }
}
