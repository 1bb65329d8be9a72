/**
 * One signed webhook POST: the JSON body, capd's headers, the `X-Capd-Signature` HMAC, a time
 * limit and no redirects. Both the outbox's webhook sender and the settings' "Send test" use it.
 */
import { createHmac } from 'node:crypto'
import type { Clock } from '../clock.js'
import type { NotificationData } from '../store/entities.js'
import { CAPD_VERSION } from '../version.js'

/** A receiver that has not answered within this is taken as down (the outbox tries again later). */
export const WEBHOOK_TIMEOUT_MS = 10_000
/** What of a refusing receiver's answer is kept in the error (the delivery log shows it). */
const ERROR_BODY_CHARS = 200

/** The JSON body of every webhook request. */
export interface WebhookPayload {
  /** The delivery's id: the same on every retry, so a receiver can see a repeat. */
  id: string
  event: string
  createdAt: string
  subscriberId?: string
  agentId?: string
  data: NotificationData
}

/** Where to and with what key: a WebhookEndpoint's two fields that matter for sending. */
export interface WebhookTarget {
  url: string
  secret: string
}

export type WebhookAnswer =
  | { ok: true; status: number; tookMs: number }
  | { ok: false; status?: number; error: string; tookMs: number }

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, Stripe's scheme: the time inside
 * the signed text lets a receiver refuse an old request replayed to it.
 */
export function webhookSignature(secret: string, body: string, atMs: number): string {
  const t = Math.floor(atMs / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return `t=${t},v1=${v1}`
}

export interface PostOptions {
  /** Signs with this clock's time (the controller's clock; tests move it). */
  clock: Clock
  timeoutMs?: number
}

/** Sends `payload` to `target`; a 2xx answer is success, anything else (or none) an error. Never throws. */
export async function postWebhook(
  target: WebhookTarget,
  payload: WebhookPayload,
  { clock, timeoutMs = WEBHOOK_TIMEOUT_MS }: PostOptions,
): Promise<WebhookAnswer> {
  const body = JSON.stringify(payload)
  const startedMs = performance.now()
  const took = () => Math.round(performance.now() - startedMs)
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': `capd/${CAPD_VERSION}`,
        'X-Capd-Event': payload.event,
        'X-Capd-Delivery': payload.id,
        'X-Capd-Signature': webhookSignature(target.secret, body, clock.now()),
      },
      // A redirect could move a signed body to a host the operator never named: it is an error.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel()
      return { ok: true, status: res.status, tookMs: took() }
    }
    const error = await refusalText(res)
    return { ok: false, status: res.status, error, tookMs: took() }
  } catch (err) {
    return { ok: false, error: networkError(err, timeoutMs), tookMs: took() }
  }
}

/** "HTTP 500: <the start of its body>", or where a redirect pointed. */
async function refusalText(res: Response): Promise<string> {
  const location = res.headers.get('location')
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel()
    return `HTTP ${res.status}: redirects are not followed${location ? ` (to ${location.slice(0, 200)})` : ''}`
  }
  const text = await bodyStart(res)
  return text ? `HTTP ${res.status}: ${text}` : `HTTP ${res.status}`
}

/** The first characters of the body, without reading a large one to its end. */
async function bodyStart(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    while (text.length < ERROR_BODY_CHARS * 4) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    // The body broke off: what came is still worth showing.
  } finally {
    await reader.cancel().catch(() => {})
  }
  return text.trim().slice(0, ERROR_BODY_CHARS)
}

function networkError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: Error & { code?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, a DNS miss, a TLS problem) is its cause.
  const cause = e.cause
  if (cause?.message) return cause.message
  return e.message || String(err)
}
