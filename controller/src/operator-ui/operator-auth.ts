/**
 * The operator UI's session: the `capd_session` cookie (HttpOnly, SameSite=Lax, Secure over https),
 * a CSRF token in every form, and a same-site check on every state change. It reads only its own
 * cookie and table: a portal session or an API token is no operator login here.
 */
import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { ApiDeps, AppEnv } from '../api/app-env.js'
import { findSession, needsTouch, touchSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import { isCrossSite } from '../portal/request-origin.js'
import type { OperatorSession, User } from '../store/entities.js'
import { csrfMatches } from '../ui/csrf.js'

export const OPERATOR_COOKIE = 'capd_session'

export interface OperatorEnv {
  Variables: AppEnv['Variables'] & {
    session: OperatorSession
    user: User
  }
}

/**
 * Requires a live operator session. Without one, a browser is sent to the login page (and back
 * after it); anything else gets a 401.
 */
export function operatorSession({ store, env }: ApiDeps): MiddlewareHandler<OperatorEnv> {
  return async function operatorSession(c, next) {
    const now = env.clock.now()
    const found = await store.peek(async (tx) => {
      const session = await findSession(tx.operatorSessions, getCookie(c, OPERATOR_COOKIE), now)
      const user = session && (await tx.users.get(session.userId))
      return session && user ? { session, user } : undefined
    })
    if (!found) {
      if (c.req.header('Accept')?.includes('text/html')) {
        const url = new URL(c.req.url)
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303)
      }
      throw new ApiError(401, 'unauthorized', 'log in to the operator UI first')
    }
    const { session, user } = found
    if (needsTouch(session, now))
      await store.transact((tx) => touchSession(tx.operatorSessions, session.id, now))
    c.set('session', session)
    c.set('user', user)
    c.set('actor', `user:${user.id}`)
    await next()
  }
}

/** Every state change: refused when a browser says another site made it, or without the session's CSRF token. */
export function operatorWrite(): MiddlewareHandler<OperatorEnv> {
  return async function operatorWrite(c, next) {
    if (isCrossSite(c)) throw new ApiError(403, 'cross_site', 'cross-site requests are refused')
    if (!(await csrfMatches(c, c.var.session.csrfToken))) {
      throw new ApiError(
        403,
        'csrf',
        'the form is out of date or not from this site; reload the page and try again',
      )
    }
    await next()
  }
}
