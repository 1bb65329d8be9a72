/**
 * A form post that must act once: its hidden key (see section-form.tsx) goes through the same
 * idempotency records as the API's Idempotency-Key, so a double click or a resent form gets the
 * first answer again and no second effect.
 */
import type { Context } from 'hono'
import type { ApiDeps } from '../api/app-env.js'
import { idempotent, requestHash, type StoredResponse } from '../domain/idempotency.js'
import type { Tx } from '../store/store.js'
import type { OperatorEnv } from './operator-auth.js'

export async function runOnce(
  c: Context<OperatorEnv>,
  { store, env }: ApiDeps,
  key: string,
  input: unknown,
  run: (tx: Tx) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  // Keys are private to the operator who sent them; the hash covers the route, so one key cannot
  // be replayed against another form or subscriber.
  const scope = `${c.var.actor}|${key}`
  const hash = requestHash(`${c.req.method} ${c.req.path}`, input)
  return store.transact((tx) => idempotent(tx, env, scope, hash, () => run(tx)))
}
