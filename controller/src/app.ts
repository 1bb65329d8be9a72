/** The controller's web app: security headers, the operator API, the customer portal API, the agents' endpoint, health. Web-standard; no Node here. */
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { type AgentEndpoint, agentWsRoutes } from './agent-hub/agent-ws-route.js'
import type { ApiDeps } from './api/app-env.js'
import { errorResponse } from './api/error-response.js'
import { operatorApi } from './api/operator-api.js'
import { ApiError } from './errors.js'
import { type PortalOptions, portalApi } from './portal/portal-api.js'

export interface AppOptions {
  bodyLimitBytes?: number
  /** Serves `GET /agent/v1/ws`; the runtime's upgrade helper comes in with it. */
  agents?: AgentEndpoint
  /** Login throttling and client address for the customer portal. */
  portal?: PortalOptions
}

export function createApp(deps: ApiDeps, options: AppOptions = {}): Hono {
  const app = new Hono()
  app.use(secureHeaders())
  app.onError(errorResponse)
  app.notFound((c) =>
    errorResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), c),
  )
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.route('/api/v1', operatorApi(deps, options.bodyLimitBytes))
  app.route('/portal/api', portalApi(deps, options.portal))
  if (options.agents) app.route('/agent/v1', agentWsRoutes(options.agents))
  return app
}
