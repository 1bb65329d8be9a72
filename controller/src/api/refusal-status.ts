/** The HTTP status each domain refusal is answered with, and the one view of any 4xx the edges show. */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { RefusalCode } from '../domain/refusal.js'
import { Refusal } from '../domain/refusal.js'
import { ApiError } from '../errors.js'

export const REFUSAL_STATUS: Record<RefusalCode, ContentfulStatusCode> = {
  not_found: 404,
  conflict: 409,
  invalid_request: 400,
  invalid_reference: 422,
  retired: 422,
  revoked: 422,
  insufficient_balance: 402,
  amount_too_large: 422,
  currency_mismatch: 422,
  usage_overflow: 422,
  topup_in_period: 422,
  foreign_subscriber: 403,
  agent_revoked: 401,
  invalid_idempotency_key: 400,
  idempotency_key_reused: 422,
  login_taken: 409,
  last_admin: 409,
  payment_unavailable: 422,
  payment_failed: 422,
  order_closed: 409,
}

/** A refusal as HTTP sees it: a domain refusal with its mapped status, or the HTTP layer's own ApiError. */
export interface HttpRefusal {
  status: ContentfulStatusCode
  code: string
  message: string
  details?: unknown
}

/** The refusal `err` is, as HTTP sees it, or undefined when it is not one (a bug, a store failure). */
export function httpRefusal(err: unknown): HttpRefusal | undefined {
  if (err instanceof Refusal) {
    return { status: REFUSAL_STATUS[err.code], code: err.code, message: err.message, details: err.details }
  }
  if (err instanceof ApiError) return err
  return undefined
}

/** A person's mistake to show them (any 4xx), or undefined for what is the controller's to fix. */
export function clientRefusal(err: unknown): HttpRefusal | undefined {
  const refusal = httpRefusal(err)
  return refusal && refusal.status < 500 ? refusal : undefined
}
