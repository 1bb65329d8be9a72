/** Counts and times every HTTP request by route group (see metrics/route-group.ts) and status. */
import type { MiddlewareHandler } from 'hono'
import type { ControllerMetrics } from '../metrics/controller-metrics.js'
import { routeGroup } from '../metrics/route-group.js'

export function requestMetrics(metrics: ControllerMetrics): MiddlewareHandler {
  return async function countRequest(c, next) {
    const startedMs = performance.now()
    try {
      await next()
    } finally {
      // An error handled by onError has set c.res by now; one that escaped it is a 500.
      const status = c.error && c.res.status < 400 ? 500 : c.res.status
      metrics.httpRequest(routeGroup(c.req.path), status, (performance.now() - startedMs) / 1000)
    }
  }
}
