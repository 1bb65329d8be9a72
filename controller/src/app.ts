/** The controller's web app: request ids and metrics, security headers, the operator API and UI, the customer portal, the agents' endpoint, RADIUS login admission, health and readiness. */
import { silentLogger } from '@capd/log'
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { type AgentEndpoint, agentWsRoutes } from './agent-hub/agent-ws-route.js'
import type { ApiDeps, PageDeps } from './api/app-env.js'
import { errorResponse } from './api/error-response.js'
import { operatorApi } from './api/operator-api.js'
import { LoginThrottle } from './auth/login-throttle.js'
import { ApiError } from './errors.js'
import {
  bodyCap,
  DEFAULT_BODY_LIMIT_BYTES,
  IMPORT_PATH,
  LOGIN_BODY_LIMIT_BYTES,
  LOGO_BODY_LIMIT_BYTES,
  LOGO_UPLOAD_PATHS,
} from './http/body-cap.js'
import type { FatalGate } from './http/fatal-gate.js'
import { Readiness } from './http/readiness.js'
import { requestId } from './http/request-id.js'
import { requestLog } from './http/request-log.js'
import { requestMetrics } from './http/request-metrics.js'
import { ChangeFeed } from './live/change-feed.js'
import type { ControllerMetrics } from './metrics/controller-metrics.js'
import { type OperatorUiOptions, operatorUi } from './operator-ui/operator-ui.js'
import { type PortalOptions, portalApi } from './portal/portal-api.js'
import { portalPages } from './portal-ui/portal-pages.js'
import { type AdmissionRouteOptions, radiusAdmissionRoutes } from './radius/admission-route.js'
import { assetRoutes } from './ui/assets.js'
import { errorPage, wantsPage } from './ui/html-errors.js'
import { logoRoutes } from './ui/logo-route.js'

export interface AppOptions {
  /** The largest request body any route takes (default 64 KiB); the login forms take 8 KiB at most. */
  bodyLimitBytes?: number
  /** Serves `GET /agent/v1/ws`; the runtime's upgrade helper comes in with it. */
  agents?: AgentEndpoint
  /** Login throttling and client address for the customer portal. */
  portal?: PortalOptions
  /** The same for the operator UI's login. */
  operatorUi?: OperatorUiOptions
  /** Tripped by a fatal failure: from then on every request is answered 503 store_unavailable. */
  fatal?: FatalGate
  /** Answers `/readyz`; by default one on the store and `fatal` that never stops. */
  readiness?: Readiness
  /** Counts and times each request. */
  metrics?: ControllerMetrics
  /** Serves `POST /radius/v1/authorize` for FreeRADIUS's rlm_rest (`--radius-admission`). */
  radius?: AdmissionRouteOptions
}

/** Providers log through the app's logger, or nowhere. */
const webhookLogger = (deps: ApiDeps) => deps.logger?.child({ component: 'payments' }) ?? silentLogger

/** The password logins: each takes anyone's post, so each gets the small limit. */
const LOGIN_DOORS = ['/login', '/portal/login', '/portal/api/login']

export function createApp(deps: ApiDeps, options: AppOptions = {}): Hono {
  const app = new Hono()
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES
  // Pushes follow commits: whatever transaction changed a limit, the hub hears of it.
  const pushLimits = deps.limitsChanged
  if (pushLimits) deps.store.onCommit((commit) => pushLimits(commit.subscriberIds, commit.withoutAutoTopUp))
  // One feed for the hub and the pages, so live pages hear of what the agents report.
  const withFeed: PageDeps = { ...deps, changes: deps.changes ?? new ChangeFeed() }
  // An order paid, failed or expired, a balance or a paused auto top-up changes no limit, yet the
  // customer's pages show it.
  deps.store.onCommit((commit) => {
    const pushed = new Set(pushLimits ? commit.subscriberIds : [])
    const ids = commit.shownSubscriberIds.filter((id) => !pushed.has(id))
    withFeed.changes.publish({ kind: 'subscribers', ids })
  })
  // One throttle for the portal's JSON and HTML logins, so guessing cannot switch doors to reset it.
  const portal: PortalOptions = {
    ...options.portal,
    throttle: options.portal?.throttle ?? new LoginThrottle(),
  }
  app.use(requestId())
  if (options.metrics) app.use(requestMetrics(options.metrics))
  if (deps.logger) app.use(requestLog(deps.logger))
  app.use(secureHeaders())
  app.onError((err, c) => (wantsPage(c) ? errorPage(err, c) : errorResponse(err, c)))
  // Before the fatal gate, so a failed store is reported as the reason rather than as any 503.
  app.get('/readyz', (options.readiness ?? new Readiness(deps.store, options.fatal)).route())
  if (options.fatal) app.use(options.fatal.middleware())
  // Before any route, authenticated or not, so no handler or middleware can read an unbounded body.
  for (const door of LOGIN_DOORS) app.post(door, bodyCap(Math.min(LOGIN_BODY_LIMIT_BYTES, bodyLimitBytes)))
  const logoLimit = Math.max(LOGO_BODY_LIMIT_BYTES, bodyLimitBytes)
  const perPath = Object.fromEntries(LOGO_UPLOAD_PATHS.map((path) => [path, logoLimit]))
  app.use(bodyCap(bodyLimitBytes, perPath, [IMPORT_PATH]))
  app.notFound((c) => {
    const err = new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`)
    return wantsPage(c) ? errorPage(err, c) : errorResponse(err, c)
  })
  app.get('/healthz', (c) => c.json({ ok: true }))
  // Before any auth: providers sign (or put a secret in) what they send. The body cap above keeps
  // the exact bytes readable (it hands on a copy), which Stripe's signature is computed over.
  for (const provider of deps.payments?.values() ?? []) {
    const routes = provider.webhooks?.({ store: deps.store, env: deps.env, logger: webhookLogger(deps) })
    if (routes) app.route(`/webhooks/${provider.id}`, routes)
  }
  app.route('/api/v1', operatorApi(withFeed))
  app.route('/portal/api', portalApi(withFeed, portal))
  if (options.radius) app.route('/radius/v1', radiusAdmissionRoutes(deps, options.radius))
  if (options.agents) app.route('/agent/v1', agentWsRoutes(options.agents))
  app.route('/assets', assetRoutes())
  app.route('/brand', logoRoutes(deps.store))
  app.route('/portal', portalPages(withFeed, portal))
  app.route('/', operatorUi(withFeed, options.operatorUi))
  return app
}
