/**
 * A request id per HTTP request: the caller's `X-Request-Id` when it is short and plain (a proxy's
 * or a load balancer's, so one id follows the request through), else a fresh UUID. Echoed in the
 * response and put on the request's log lines (see request-log.ts).
 */
import type { MiddlewareHandler } from 'hono'
import { requestId as honoRequestId } from 'hono/request-id'

/** Longer incoming ids are replaced: a log field is no place for a client's essay. */
export const REQUEST_ID_MAX_LENGTH = 64

export function requestId(): MiddlewareHandler {
  return honoRequestId({ limitLength: REQUEST_ID_MAX_LENGTH })
}
