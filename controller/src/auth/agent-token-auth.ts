/** Bearer-token check for the agent endpoint, before any WebSocket upgrade: unknown or revoked → 401. */
import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'
import type { Store } from '../store/store.js'
import { hashToken, tokenMatches } from './tokens.js'

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

export interface AgentAuthEnv {
  Variables: {
    /** The agent the token belongs to. */
    agentId: string
  }
}

export function agentTokenAuth(store: Store): MiddlewareHandler<AgentAuthEnv> {
  return async function agentTokenAuth(c, next) {
    const match = BEARER.exec(c.req.header('Authorization') ?? '')
    if (!match) {
      throw new ApiError(401, 'unauthorized', 'send the agent token as "Authorization: Bearer <token>"')
    }
    const presented = match[1]!
    const agent = await store.peek((tx) => tx.agents.byTokenHash(hashToken(presented)))
    if (!agent || agent.revokedAtMs !== undefined || !tokenMatches(presented, agent.tokenHash)) {
      throw new ApiError(401, 'unauthorized', 'the agent token is unknown or revoked')
    }
    c.set('agentId', agent.id)
    await next()
  }
}
