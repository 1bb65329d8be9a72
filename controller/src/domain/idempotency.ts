/**
 * Idempotency keys: the first request with a key runs and its response is kept with a hash of
 * the request, in the same transaction as its effect. The same key again gets the same
 * response and no second effect; the same key with another request is refused.
 * A request that fails changes nothing and is not kept, so it may be retried with its key.
 */
import { createHash } from 'node:crypto'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'
import { Refusal } from './refusal.js'

export interface StoredResponse {
  status: number
  body: unknown
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/

/** 1–255 visible ASCII characters: the shape of every idempotency key, from a header or a form. */
export const isIdempotencyKey = (key: string) => KEY_PATTERN.test(key)

export function checkIdempotencyKey(key: string): string {
  if (!isIdempotencyKey(key)) {
    throw new Refusal('invalid_idempotency_key', 'Idempotency-Key must be 1–255 visible ASCII characters')
  }
  return key
}

/** A hash of what the request asks for: the route and its parsed body, with keys sorted. */
export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(route).update('\n').update(stableJson(body)).digest('hex')
}

export async function idempotent(
  tx: Tx,
  env: DomainEnv,
  scope: string,
  hash: string,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const now = env.clock.now()
  const seen = await tx.idempotency.get(scope)
  if (seen && seen.createdAtMs > now - env.idempotencyTtlMs) {
    if (seen.requestHash !== hash) {
      throw new Refusal(
        'idempotency_key_reused',
        'this Idempotency-Key was used for a different request; use a new key for a new request',
      )
    }
    return { status: seen.status, body: seen.body, replayed: true }
  }
  const response = await run()
  await tx.idempotency.put({ scope, requestHash: hash, ...response, createdAtMs: now })
  return { ...response, replayed: false }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
