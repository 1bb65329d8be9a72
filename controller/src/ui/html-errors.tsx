/** Errors on page routes answered as pages: a browser asking for HTML gets one, API clients JSON. */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { httpRefusal } from '../api/refusal-status.js'
import { logOf } from '../http/request-log.js'
import { ErrorPage } from './error-page.js'
import { setHtmlHeaders } from './html-policy.js'

const API_PATHS = /^\/(api|portal\/api|agent)\//

/** Whether this request is a person's browser on a page route (not the API, not the agents' socket). */
export function wantsPage(c: Context): boolean {
  return !API_PATHS.test(c.req.path) && (c.req.header('Accept')?.includes('text/html') ?? false)
}

export function errorPage(err: Error, c: Context): Response | Promise<Response> {
  const known = httpRefusal(err)
  if (!known) logOf(c).error({ err }, 'unexpected error')
  const status = (known ? known.status : 500) as ContentfulStatusCode
  const message = known
    ? known.message
    : 'The server could not complete this request. The error is in its log.'
  const home = c.req.path.startsWith('/portal') ? '/portal' : '/'
  setHtmlHeaders(c)
  return c.html(<ErrorPage status={status} message={message} home={home} />, status)
}
