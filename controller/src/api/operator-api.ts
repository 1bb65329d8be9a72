/** The operator API under /api/v1: token auth, body limit, every documented route, the OpenAPI document. */
import { Hono } from 'hono'
import { apiTokenAuth } from '../auth/api-token-auth.js'
import { ApiError } from '../errors.js'
import { bodyCap, IMPORT_BODY_LIMIT_BYTES } from '../http/body-cap.js'
import { CAPD_VERSION } from '../version.js'
import { agentRoutes } from './agent-routes.js'
import type { ApiDeps, AppEnv } from './app-env.js'
import { auditRoutes } from './audit-routes.js'
import { billingRoutes } from './billing-routes.js'
import { brandingRoutes } from './branding-routes.js'
import { catalogRoutes } from './catalog-routes.js'
import { deliveryRoutes } from './delivery-routes.js'
import { documentRoutes } from './document-routes.js'
import { errorResponse } from './error-response.js'
import { exportRoutes } from './export-routes.js'
import { invoiceRoutes } from './invoice-routes.js'
import { openApiDocument } from './openapi.js'
import { orderRoutes } from './order-routes.js'
import { DocumentedRouter } from './router.js'
import { settingsRoutes } from './settings-routes.js'
import { subscriberLifecycleRoutes } from './subscriber-lifecycle-routes.js'
import { subscriberRoutes } from './subscriber-routes.js'
import { usageHistoryRoutes } from './usage-history-routes.js'
import { webhookRoutes } from './webhook-routes.js'

/** The operator API; bodies are capped app-wide before it (see http/body-cap.ts), the import's after auth. */
export function operatorApi(deps: ApiDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>()
  api.onError(errorResponse)

  const routes = new Hono<AppEnv>()
  const router = new DocumentedRouter(routes)
  catalogRoutes(router, deps)
  agentRoutes(router, deps)
  subscriberRoutes(router, deps)
  usageHistoryRoutes(router, deps)
  subscriberLifecycleRoutes(router, deps)
  billingRoutes(router, deps)
  orderRoutes(router, deps)
  invoiceRoutes(router, deps)
  exportRoutes(router, deps)
  settingsRoutes(router, deps)
  documentRoutes(router, deps)
  brandingRoutes(router, deps)
  webhookRoutes(router, deps)
  auditRoutes(router, deps)
  deliveryRoutes(router, deps)
  const document = openApiDocument(router.docs, CAPD_VERSION)

  api.get('/openapi.json', (c) => c.json(document))
  api.use(apiTokenAuth(deps.store))
  // The app-wide cap lets this one path through (see IMPORT_PATH): its larger limit is for a known token.
  api.post('/subscribers/import', bodyCap(IMPORT_BODY_LIMIT_BYTES))
  api.route('/', routes)
  api.notFound((c) =>
    errorResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), c),
  )
  return api
}
