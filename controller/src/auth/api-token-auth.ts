/** Bearer-token middleware for the operator API: the token must exist, be unrevoked and match. */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../api/app-env.js'
import { ApiError } from '../errors.js'
import type { Store } from '../store/store.js'
import { hashToken, tokenMatches } from './tokens.js'

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

export function apiTokenAuth(store: Store): MiddlewareHandler<AppEnv> {
  return async function apiTokenAuth(c, next) {
    const match = BEARER.exec(c.req.header('Authorization') ?? '')
    if (!match) {
      throw new ApiError(401, 'unauthorized', 'send an API token as "Authorization: Bearer <token>"')
    }
    const presented = match[1]!
    const token = await store.peek((tx) => tx.apiTokens.byHash(hashToken(presented)))
    if (!token || token.revokedAtMs !== undefined || !tokenMatches(presented, token.hash)) {
      throw new ApiError(401, 'unauthorized', 'the API token is unknown or revoked')
    }
    c.set('actor', `token:${token.id}`)
    await next()
  }
}
