/** What the domain throws when it will not do what was asked: a typed code, a sentence, and the fields at fault. */

/** Every reason the domain refuses; the edges map each to an HTTP status, a page message or a close code. */
export type RefusalCode =
  | 'not_found'
  | 'conflict'
  | 'invalid_request'
  | 'invalid_reference'
  | 'retired'
  | 'revoked'
  | 'insufficient_balance'
  | 'amount_too_large'
  | 'currency_mismatch'
  | 'usage_overflow'
  | 'topup_in_period'
  | 'foreign_subscriber'
  | 'agent_revoked'
  | 'invalid_idempotency_key'
  | 'idempotency_key_reused'
  | 'login_taken'
  | 'last_admin'
  | 'payment_unavailable'
  | 'payment_failed'
  | 'order_closed'

/** A field a refusal is about, named as a validation error names it. */
export interface FieldProblem {
  path: string
  message: string
}

export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message)
    this.name = 'Refusal'
  }
}

export const notFound = (what: string, id: string) => new Refusal('not_found', `${what} ${id} does not exist`)

/**
 * A refusal about one request field. `message` is the API's sentence; `problem` says the same
 * without the field's name, for a form that puts its own label before it (see labelRefusals).
 */
export function fieldRefusal(code: RefusalCode, field: string, message: string, problem = message): Refusal {
  return new Refusal(code, message, [{ path: field, message: problem }])
}
