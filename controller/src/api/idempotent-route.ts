/** Runs a state-changing request in one transaction, honouring an `Idempotency-Key` header if sent. */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { DomainEnv } from '../domain/env.js'
import { checkIdempotencyKey, idempotent, requestHash, type StoredResponse } from '../domain/idempotency.js'
import type { TopUpResult } from '../domain/topups.js'
import { ApiError } from '../errors.js'
import type { Tx } from '../store/store.js'
import type { ApiDeps, AppEnv } from './app-env.js'
import { loadSubscriberView } from './subscriber-view.js'
import { invoiceView, topUpView } from './views.js'

export async function respondOnce<E extends AppEnv>(
  c: Context<E>,
  { store, env }: ApiDeps,
  input: unknown,
  run: (tx: Tx) => Promise<StoredResponse>,
): Promise<Response> {
  const header = c.req.header('Idempotency-Key')
  const key = header === undefined ? undefined : checkIdempotencyKey(header)
  const result = await store.transact(async (tx) => {
    if (key === undefined) return { ...(await run(tx)), replayed: false }
    // Keys are private to whoever sent them: `token:<id>|key`, `customer:<id>|key`.
    const scope = `${c.get('actor')}|${key}`
    const hash = requestHash(`${c.req.method} ${c.req.path}`, input)
    return idempotent(tx, env, scope, hash, () => run(tx))
  })
  if (result.replayed) c.header('Idempotent-Replayed', 'true')
  return c.json(result.body as object, result.status as ContentfulStatusCode)
}

/** For routes where the key is not optional: refuses a request without one before anything else. */
export function requireIdempotencyKey(c: Context, why: string): void {
  const header = c.req.header('Idempotency-Key')
  if (header === undefined) throw new ApiError(400, 'idempotency_key_required', why)
  checkIdempotencyKey(header)
}

/** The answer to a top-up, from the operator API or the portal. */
export async function topUpAnswer(tx: Tx, env: DomainEnv, result: TopUpResult): Promise<StoredResponse> {
  const view = await loadSubscriberView(tx, env, result.subscriber)
  return {
    status: 201,
    body: {
      topUp: topUpView(result.topUp),
      invoice: invoiceView(result.invoice),
      usage: view.usage,
      balance: view.balance,
    },
  }
}
