/**
 * The client side of the crash test: logical requests (top-ups, balance-charged top-ups, payments),
 * each with its own Idempotency-Key and a body that tells its effect apart from every other's.
 */

import type { Random } from '@capd/protocol/testing'
import type { Answer, Call } from './api-client.js'

export type OpKind = 'topup' | 'balance-topup' | 'payment'

/** What a 201 told the client: the id of the row it created (and the top-up's invoice). */
export interface Ack {
  id: string
  invoiceId?: string
  invoiceNumber?: string
}

export interface Op {
  readonly key: string
  readonly kind: OpKind
  readonly subscriberId: string
  readonly path: string
  /** The exact body sent; a retry sends the same bytes. */
  readonly json: string
  /** A top-up's bytes: unique per op, so its top-up can be found in the store. 0 for payments. */
  readonly bytes: number
  /** Money moved, in cents: the top-up's price or the payment's amount. */
  readonly cents: number
  ack?: Ack
  /** Sent, but no whole answer came back: the outcome is unknown until a retry answers. */
  unknown: boolean
  /** A whole answer that was not 201; no request here is invalid, so any fails the test. */
  refused?: Answer
  attempts: number
}

const BYTES_BASE = 1_000_000

/** Makes ops with keys and bytes unique within one test run. */
export function opFactory(random: Random) {
  let made = 0
  return function makeOp(subscriberId: string, kind: OpKind, cents = random.int(100, 999)): Op {
    made++
    const key = `crash-${made}-${random.int(0, 1e9).toString(36)}`
    const money = { amount: cents, currency: 'USD' }
    const isPayment = kind === 'payment'
    const body = isPayment
      ? { amount: money, reference: key }
      : {
          bytes: BYTES_BASE + made,
          price: money,
          description: key,
          chargeTo: kind === 'balance-topup' ? 'balance' : 'invoice',
        }
    return {
      key,
      kind,
      subscriberId,
      path: `/subscribers/${subscriberId}/${isPayment ? 'payments' : 'topups'}`,
      json: JSON.stringify(body),
      bytes: isPayment ? 0 : BYTES_BASE + made,
      cents,
      unknown: false,
      attempts: 0,
    }
  }
}

/** Picks the next op of the load: mostly top-ups, some charged to the balance, some payments. */
export function randomKind(random: Random): OpKind {
  const roll = random.next()
  return roll < 0.6 ? 'topup' : roll < 0.85 ? 'balance-topup' : 'payment'
}

/** Sends `op` once with its key; records an ack, a refusal, or an unknown outcome. */
export async function send(call: Call, op: Op): Promise<Answer | undefined> {
  op.attempts++
  let answer: Answer
  try {
    answer = await call('POST', op.path, op.json, { 'idempotency-key': op.key })
  } catch {
    op.unknown = true
    return undefined
  }
  op.unknown = false
  const ack = answer.status === 201 ? ackFrom(op, answer.body) : undefined
  if (ack) op.ack = ack
  else op.refused = answer
  return answer
}

function ackFrom(op: Op, body: unknown): Ack | undefined {
  const b = body as {
    topUp?: { id?: unknown }
    invoice?: { id?: unknown; number?: unknown }
    payment?: { id?: unknown }
  }
  if (op.kind === 'payment') return typeof b?.payment?.id === 'string' ? { id: b.payment.id } : undefined
  const [id, invoiceId, invoiceNumber] = [b?.topUp?.id, b?.invoice?.id, b?.invoice?.number]
  if (typeof id !== 'string' || typeof invoiceId !== 'string' || typeof invoiceNumber !== 'string') {
    return undefined
  }
  return { id, invoiceId, invoiceNumber }
}

/**
 * `concurrency` clients, each sending ops back to back until `stopped()`. A client whose request
 * gets no answer stops too: after a kill every further request would fail the same way.
 */
export async function runLoad(
  call: Call,
  nextOp: () => Op,
  concurrency: number,
  stopped: () => boolean,
): Promise<void> {
  const client = async () => {
    while (!stopped()) {
      const op = nextOp()
      if ((await send(call, op)) === undefined) return
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client))
}
