/** A form post that must act once: its hidden key goes through the idempotency records the API uses. */
import type { Context } from 'hono'
import type { ApiDeps, AppEnv } from '../api/app-env.js'
import { idempotent, requestHash, type StoredResponse } from '../domain/idempotency.js'
import type { Tx } from '../store/store.js'

/**
 * Runs `run` once per key (see OnceField): a double click or a resent form gets the first answer
 * again and no second effect, as a repeated Idempotency-Key does at the API.
 */
export async function runOnce<E extends AppEnv>(
  c: Context<E>,
  { store, env }: ApiDeps,
  key: string,
  input: unknown,
  run: (tx: Tx) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  // Keys are private to whoever sent them; the hash covers the route, so one key cannot be
  // replayed against another form or subscriber.
  const scope = `${c.var.actor}|${key}`
  const hash = requestHash(`${c.req.method} ${c.req.path}`, input)
  return store.transact((tx) => idempotent(tx, env, scope, hash, () => run(tx)))
}
