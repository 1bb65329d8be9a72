/**
 * SMS through any HTTP gateway, described by templates (http-gateway-config.ts): one request per
 * message. A 2xx answer is sent (when a success pattern is set, only if the body matches it).
 */
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
import type { HttpGatewayConfig } from './http-gateway-config.js'
import { smsText } from './sms-text.js'
import { fillTemplate, type TemplateValues } from './template.js'

export interface HttpSmsGatewayOptions {
  fetch?: Fetch
  timeoutMs?: number
}

export class HttpSmsGateway implements ChannelSender {
  readonly channel = 'sms' as const
  private readonly fetchFn: Fetch
  private readonly timeoutMs: number

  constructor(
    private readonly config: HttpGatewayConfig,
    options: HttpSmsGatewayOptions = {},
  ) {
    this.fetchFn = options.fetch ?? globalFetch
    this.timeoutMs = options.timeoutMs ?? SMS_TIMEOUT_MS
  }

  async send(out: OutgoingMessage): Promise<SendOutcome> {
    const { url, method, body, authHeader, successPattern } = this.config
    const values: TemplateValues = {
      to: out.delivery.to,
      text: smsText(out.message),
      from: this.config.from ?? '',
    }
    // Some gateways (Africa's Talking) answer XML unless asked for JSON; the rest ignore this.
    const headers: Record<string, string> = { accept: 'application/json, */*;q=0.8' }
    if (authHeader) headers[authHeader.name] = authHeader.value
    if (body) headers['content-type'] = body.contentType
    const answer = await request(
      this.fetchFn,
      'the SMS gateway',
      fillTemplate(url, values, 'url'),
      { method, headers, ...(body ? { body: fillTemplate(body.template, values, body.encoding) } : {}) },
      this.timeoutMs,
    )
    if (!isAnswer(answer)) return answer
    const said = trimAnswer(answer.text)
    if (answer.status < 200 || answer.status > 299) {
      const error = `the SMS gateway answered ${answer.status}${said ? `: ${said}` : ' with no body'}`
      return { ok: false, error, retry: statusRetries(answer.status) }
    }
    if (!successPattern) return { ok: true }
    const match = successPattern.exec(answer.text)
    // Not retried: the gateway took the request, so trying again could text the customer twice
    // (and would every time, were the pattern itself wrong).
    if (!match)
      return { ok: false, error: `the SMS gateway did not confirm the message: ${said}`, retry: false }
    const ref = match[1]?.trim()
    return ref ? { ok: true, ref } : { ok: true }
  }
}
