/** The controller's web app: security headers, the operator API, health. Web-standard; no Node here. */
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import type { ApiDeps } from './api/app-env.js'
import { errorResponse } from './api/error-response.js'
import { operatorApi } from './api/operator-api.js'
import { ApiError } from './errors.js'

export interface AppOptions {
  bodyLimitBytes?: number
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
  return app
}
