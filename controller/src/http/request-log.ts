/** The logger of one request (`component: http`, request id, method, path), for the error handlers that have only the context. */

import { type Logger, silentLogger } from '@capd/log'
import type { Context, MiddlewareHandler } from 'hono'

const KEY = 'capdLogger'

/**
 * Puts a child of `logger` on each request's context; errors thrown below it are logged there,
 * with the request id (see request-id.ts) the client was answered with, so a report can be found.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  const http = logger.child({ component: 'http' })
  return async function requestLogger(c, next) {
    const requestId = c.get('requestId') as string | undefined
    c.set(KEY, http.child({ requestId, method: c.req.method, path: loggedPath(c.req.path) }))
    await next()
  }
}

/** This request's logger; nowhere if the app was built without one. */
export function logOf(c: Context): Logger {
  return (c.get(KEY) as Logger | undefined) ?? silentLogger
}

/** The path as logs show it: a provider callback's secret (`/webhooks/<provider>/…/<order>/<secret>`) never. */
export const loggedPath = (path: string) => path.replace(/^(\/webhooks\/[^/]+\/.+\/)[^/]+$/, '$1[redacted]')
