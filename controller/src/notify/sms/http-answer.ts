/** What SMS senders share about HTTP: one request with a deadline, and how an answer's status is judged. */
import type { SendOutcome } from '../channel.js'

/** A gateway that has not answered within this is taken as down for now; the send is retried. */
export const SMS_TIMEOUT_MS = 10_000
/** What of a gateway's answer is kept as the delivery's error. */
const ANSWER_MAX = 300

export interface HttpAnswer {
  status: number
  text: string
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>

/** The global fetch, looked up at each call (so test interceptors installed later apply). */
export const globalFetch: Fetch = (input, init) => fetch(input, init)

/**
 * Sends one request and reads its answer within `timeoutMs`; a failure to get an answer is a
 * retryable outcome whose error names `who` and the cause, never the URL (it may hold a key).
 */
export async function request(
  fetchFn: Fetch,
  who: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<HttpAnswer | SendOutcome> {
  try {
    const res = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    return { status: res.status, text: await res.text() }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return { ok: false, error: `${who} did not answer within ${timeoutMs / 1000} s`, retry: true }
    }
    const cause = e.cause?.code ?? e.cause?.message ?? e.message
    return { ok: false, error: `could not reach ${who}: ${cause}`, retry: true }
  }
}

export function isAnswer(x: HttpAnswer | SendOutcome): x is HttpAnswer {
  return 'status' in x
}

/**
 * Whether a refusal may go away by itself: a timeout, throttling or the gateway's own fault.
 * Any other 4xx is about this message (a bad number, a refused text) and will not change.
 */
export function statusRetries(status: number): boolean {
  return status === 408 || status === 429 || status < 400 || status >= 500
}

/** An answer body for a delivery's error: whitespace folded, cut short. */
export function trimAnswer(text: string): string {
  const folded = text.replace(/\s+/g, ' ').trim()
  return folded.length > ANSWER_MAX ? `${folded.slice(0, ANSWER_MAX - 1)}…` : folded
}
