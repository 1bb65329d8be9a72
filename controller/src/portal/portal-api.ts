/** The customer portal's JSON API under /portal/api: cookie sessions, CSRF tokens, own account only. */

import { Hono } from 'hono'
import type { ApiDeps } from '../api/app-env.js'
import { errorResponse } from '../api/error-response.js'
import type { PasswordLoginOptions } from '../auth/password-login.js'
import { ApiError } from '../errors.js'
import { bodyCap } from '../http/body-cap.js'
import { accountRoutes } from './account-routes.js'
import { alertRoutes } from './alert-routes.js'
import { loginRoutes } from './login-routes.js'
import { orderRoutes } from './order-routes.js'
import type { PortalEnv } from './portal-auth.js'

export type PortalOptions = PasswordLoginOptions

/** Portal bodies are a login, a top-up or alert choices: a few hundred bytes. */
const BODY_LIMIT_BYTES = 16 * 1024

export function portalApi(deps: ApiDeps, options: PortalOptions = {}): Hono<PortalEnv> {
  const api = new Hono<PortalEnv>()
  api.onError(errorResponse)
  api.use(async function noStore(c, next) {
    await next()
    // Answers are one customer's account: never kept by a shared cache or the back button.
    c.header('Cache-Control', 'no-store')
  })
  api.use(bodyCap(BODY_LIMIT_BYTES))
  loginRoutes(api, deps, options)
  accountRoutes(api, deps)
  alertRoutes(api, deps)
  orderRoutes(api, deps)
  api.notFound((c) =>
    errorResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), c),
  )
  return api
}
