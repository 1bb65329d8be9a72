/** `GET /agent/v1/ws`: the token is checked first (401, no upgrade), then the socket joins the hub. */
import { Hono } from 'hono'
import type { UpgradeWebSocket, WSContext } from 'hono/ws'
import { errorResponse } from '../api/error-response.js'
import { type AgentAuthEnv, agentTokenAuth } from '../auth/agent-token-auth.js'
import { ApiError } from '../errors.js'
import type { AgentHub } from './agent-hub.js'
import type { AgentSession } from './agent-session.js'
import type { AgentSocket, HeartbeatFor } from './agent-socket.js'

export interface AgentEndpoint {
  hub: AgentHub
  /** The runtime's upgrade helper (`upgradeWebSocket` of @hono/node-server on Node). */
  upgradeWebSocket: UpgradeWebSocket
  heartbeatFor?: HeartbeatFor
}

export function agentWsRoutes({ hub, upgradeWebSocket, heartbeatFor }: AgentEndpoint): Hono<AgentAuthEnv> {
  const routes = new Hono<AgentAuthEnv>()
  routes.onError(errorResponse)
  routes.get(
    '/ws',
    agentTokenAuth(hub.store),
    upgradeWebSocket((c) => {
      const agentId = c.get('agentId') as string
      let session: AgentSession | undefined
      return {
        onOpen: (_event, ws) => {
          session = hub.accept(agentId, agentSocket(ws, heartbeatFor))
        },
        onMessage: (event) => session?.receive(event.data),
        onClose: () => session?.closed(),
      }
    }),
    () => {
      throw new ApiError(426, 'upgrade_required', 'this endpoint speaks WebSocket only')
    },
  )
  return routes
}

function agentSocket(ws: WSContext, heartbeatFor: HeartbeatFor | undefined): AgentSocket {
  const heartbeat = heartbeatFor?.(ws.raw)
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    ...(heartbeat ? { heartbeat } : {}),
  }
}
