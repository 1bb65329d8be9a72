/** Runs a state-changing request in one transaction, honouring an `Idempotency-Key` header if sent. */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { checkIdempotencyKey, idempotent, requestHash, type StoredResponse } from '../domain/idempotency.js'
import type { Tx } from '../store/store.js'
import type { ApiDeps, AppEnv } from './app-env.js'

export async function respondOnce(
  c: Context<AppEnv>,
  { store, env }: ApiDeps,
  input: unknown,
  run: (tx: Tx) => Promise<StoredResponse>,
): Promise<Response> {
  const header = c.req.header('Idempotency-Key')
  const key = header === undefined ? undefined : checkIdempotencyKey(header)
  const result = await store.transact(async (tx) => {
    if (key === undefined) return { ...(await run(tx)), replayed: false }
    const scope = `${c.var.actor}|${key}`
    const hash = requestHash(`${c.req.method} ${c.req.path}`, input)
    return idempotent(tx, env, scope, hash, () => run(tx))
  })
  if (result.replayed) c.header('Idempotent-Replayed', 'true')
  return c.json(result.body as object, result.status as ContentfulStatusCode)
}
