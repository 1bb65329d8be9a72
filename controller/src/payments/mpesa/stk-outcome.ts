/** What an STK Query answer means for the order: paid, not paid (and why, in plain words), or not known yet. */
import type { QueryResult } from './daraja-client.js'

export type StkOutcome =
  | { kind: 'paid' }
  | { kind: 'failed'; reason: string }
  /** Still waiting for the customer, or Daraja could not say: the order stays awaiting. */
  | { kind: 'pending'; reason: string }

/** Result codes Daraja uses while the customer has not answered yet. */
const STILL_PROCESSING = new Set(['4999', '500.001.1001'])

/** The customer-facing reason for the codes people meet most; others quote Daraja. */
const REASONS: Record<string, string> = {
  '1': 'the M-Pesa balance was not enough for this payment',
  '1032': 'the payment request was cancelled on the phone',
  '1037': 'the phone could not be reached, or the request was not answered in time',
  '1019': 'the payment request expired before it was approved',
  '1001': 'another M-Pesa payment was under way on the phone; try again in a few minutes',
  '2001': 'the M-Pesa PIN entered was wrong',
  '1025': 'M-Pesa could not send the request to the phone',
  '9999': 'M-Pesa could not send the request to the phone',
}

export function stkOutcome(result: QueryResult): StkOutcome {
  if (result.kind === 'unknown') return { kind: 'pending', reason: result.reason }
  if (result.resultCode === '0') return { kind: 'paid' }
  if (STILL_PROCESSING.has(result.resultCode)) return { kind: 'pending', reason: result.resultDesc }
  const reason =
    REASONS[result.resultCode] ?? `M-Pesa said: ${result.resultDesc || `result code ${result.resultCode}`}`
  return { kind: 'failed', reason }
}
