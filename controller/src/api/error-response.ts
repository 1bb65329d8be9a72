/** Turns any thrown error into `{error:{code,message}}`: refusals with their status (see refusal-status.ts), the rest as 5xx. */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { logOf } from '../http/request-log.js'
import { StoreFailedError } from '../store/document-store.js'
import { httpRefusal } from './refusal-status.js'

/** What callers are told once the store has failed; the failure itself is only in the log. */
export const STORE_FAILED_MESSAGE =
  'the store can no longer write; the controller is restarting (see its log)'

export function errorResponse(err: Error, c: Context): Response {
  const refusal = httpRefusal(err)
  if (refusal) {
    const { status, code, message, details } = refusal
    return c.json({ error: { code, message, details } }, status)
  }
  if (err instanceof HTTPException) {
    const code = err.status === 413 ? 'payload_too_large' : 'http_error'
    return c.json({ error: { code, message: err.message || 'request refused' } }, err.status)
  }
  if (err instanceof StoreFailedError) {
    // Anyone's request may be the one that fails (a portal login): the cause (a path, an errno)
    // goes to the log, where the controller writes it as it exits.
    return c.json({ error: { code: 'store_unavailable', message: STORE_FAILED_MESSAGE } }, 503)
  }
  logOf(c).error({ err }, 'unexpected error')
  return c.json({ error: { code: 'internal_error', message: 'internal error; see the controller log' } }, 500)
}
