/** Turns any thrown error into `{error:{code,message}}`: ApiErrors as they are, the rest as 5xx. */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ApiError } from '../errors.js'
import { StoreFailedError } from '../store/document-store.js'

export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    return c.json({ error: { code: err.code, message: err.message, details: err.details } }, err.status)
  }
  if (err instanceof HTTPException) {
    const code = err.status === 413 ? 'payload_too_large' : 'http_error'
    return c.json({ error: { code, message: err.message || 'request refused' } }, err.status)
  }
  if (err instanceof StoreFailedError) {
    return c.json({ error: { code: 'store_unavailable', message: err.message } }, 503)
  }
  console.error('capd: unexpected error', err)
  return c.json({ error: { code: 'internal_error', message: 'internal error; see the controller log' } }, 500)
}
