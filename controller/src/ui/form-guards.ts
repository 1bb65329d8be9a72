/** A form post's guards behind a session login: refused from another site or without the CSRF token. */
import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'
import { isCrossSite } from '../portal/request-origin.js'
import type { SessionRow } from '../store/entities.js'
import { csrfMatches } from './csrf.js'

/** Refuses a post a browser says another site made (see isCrossSite); each UI words `refusal` for its readers. */
export function sameSiteForm(refusal: string): MiddlewareHandler {
  return async function sameSiteForm(c, next) {
    if (isCrossSite(c)) throw new ApiError(403, 'cross_site', refusal)
    await next()
  }
}

/** Requires the session's CSRF token in the form's hidden field; after the session middleware sets `c.var.session`. */
export function csrfField(refusal: string): MiddlewareHandler<{ Variables: { session: SessionRow } }> {
  return async function csrfField(c, next) {
    if (!(await csrfMatches(c, c.var.session.csrfToken))) throw new ApiError(403, 'csrf', refusal)
    await next()
  }
}
