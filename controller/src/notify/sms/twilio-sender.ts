/**
 * SMS through Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP
 * Basic auth, a form with To, From or MessagingServiceSid, and Body. A 201 carries the message's
 * `sid` (kept as the delivery's ref); an error carries `{code, message, more_info, status}`.
 */
import type { Logger } from '@capd/log'
import { z } from 'zod'
import type { ChannelSender, OutgoingMessage, SendOutcome } from '../channel.js'
import {
  type Fetch,
  globalFetch,
  isAnswer,
  request,
  SMS_TIMEOUT_MS,
  statusRetries,
  trimAnswer,
} from './http-answer.js'
import { smsText } from './sms-text.js'
import { TWILIO_ENV, type TwilioConfig } from './twilio-config.js'

const Created = z.object({ sid: z.string().min(1) })
const TwilioError = z.object({
  code: z.number().int().nullish(),
  message: z.string().nullish(),
  more_info: z.string().nullish(),
  status: z.number().int().nullish(),
})

/** "Authenticate": the Account SID, the token or the API key is wrong. */
const AUTH_FAILED = 20003

export interface TwilioSenderOptions {
  logger: Logger
  fetch?: Fetch
  timeoutMs?: number
}

export class TwilioSender implements ChannelSender {
  readonly channel = 'sms' as const
  private readonly fetchFn: Fetch
  private readonly timeoutMs: number
  private readonly url: string
  private readonly authorization: string
  private readonly logger: Logger
  /** Whether the refused credentials were already reported (once until a send gets through). */
  private authReported = false

  constructor(
    private readonly config: TwilioConfig,
    options: TwilioSenderOptions,
  ) {
    this.fetchFn = options.fetch ?? globalFetch
    this.timeoutMs = options.timeoutMs ?? SMS_TIMEOUT_MS
    this.logger = options.logger
    this.url = `${config.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`
    this.authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`
  }

  async send(out: OutgoingMessage): Promise<SendOutcome> {
    const form = new URLSearchParams({
      To: out.delivery.to,
      ...this.config.sender,
      Body: smsText(out.message),
    })
    const answer = await request(
      this.fetchFn,
      'Twilio',
      this.url,
      {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
      },
      this.timeoutMs,
    )
    if (!isAnswer(answer)) return answer
    const body = parseJson(answer.text)
    if (answer.status >= 200 && answer.status <= 299) {
      this.authReported = false
      const created = Created.safeParse(body)
      if (created.success) return { ok: true, ref: created.data.sid }
      // Twilio took the message; sending it again would text the customer twice.
      this.logger.warn({ status: answer.status }, 'Twilio accepted an SMS but its answer had no message sid')
      return { ok: true }
    }
    const error = TwilioError.safeParse(body)
    const code = error.success ? (error.data.code ?? undefined) : undefined
    const words = error.success ? error.data.message?.trim() : undefined
    const said = code
      ? `Twilio ${code}: ${words || 'no message'}`
      : `Twilio answered ${answer.status}: ${trimAnswer(answer.text) || 'no body'}`
    if (answer.status === 401 || code === AUTH_FAILED) {
      // Every SMS fails until someone fixes the settings; retried so none is lost meanwhile.
      if (!this.authReported) {
        this.authReported = true
        this.logger.error(
          { status: answer.status, code },
          `Twilio refused capd's credentials: check ${TWILIO_ENV.accountSid} and ${TWILIO_ENV.authToken} (or the API key); SMS are kept and retried until then`,
        )
      }
      return { ok: false, error: said, retry: true }
    }
    return { ok: false, error: said, retry: statusRetries(answer.status) }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
