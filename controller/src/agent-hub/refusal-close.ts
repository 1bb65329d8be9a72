/** The close code an agent connection ends with when the domain refuses what the agent sent (an `error` message comes first). */
import { CLOSE } from '@capd/protocol'
import { Refusal, type RefusalCode } from '../domain/refusal.js'
import { StoreFailedError } from '../store/document-store.js'

/** Every refusal is the agent's to fix, so none is a controller fault (1011) to retry blindly. */
export const REFUSAL_CLOSE: Record<RefusalCode, number> = {
  not_found: CLOSE.policyViolation,
  conflict: CLOSE.policyViolation,
  invalid_request: CLOSE.policyViolation,
  invalid_reference: CLOSE.policyViolation,
  retired: CLOSE.policyViolation,
  revoked: CLOSE.policyViolation,
  insufficient_balance: CLOSE.policyViolation,
  amount_too_large: CLOSE.policyViolation,
  currency_mismatch: CLOSE.policyViolation,
  usage_overflow: CLOSE.policyViolation,
  topup_in_period: CLOSE.policyViolation,
  foreign_subscriber: CLOSE.policyViolation,
  agent_revoked: CLOSE.policyViolation,
  invalid_idempotency_key: CLOSE.policyViolation,
  idempotency_key_reused: CLOSE.policyViolation,
  login_taken: CLOSE.policyViolation,
  last_admin: CLOSE.policyViolation,
  payment_unavailable: CLOSE.policyViolation,
  payment_failed: CLOSE.policyViolation,
  order_closed: CLOSE.policyViolation,
}

/** How a connection ends for an error its handler threw, or undefined for an unexpected one (ours). */
export function closeFor(err: unknown): { code: number; errorCode: string; message: string } | undefined {
  if (err instanceof Refusal)
    return { code: REFUSAL_CLOSE[err.code], errorCode: err.code, message: err.message }
  if (err instanceof StoreFailedError) {
    return {
      code: CLOSE.internalError,
      errorCode: 'store_unavailable',
      message: 'the controller cannot store anything now; retry later',
    }
  }
  return undefined
}
