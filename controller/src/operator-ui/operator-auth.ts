/**
 * The operator UI's session: the `capd_session` cookie (HttpOnly, SameSite=Lax, Secure over https),
 * a CSRF token in every form, and a same-site check on every state change. It reads only its own
 * cookie and table: a portal session or an API token is no operator login here.
 */
import type { MiddlewareHandler } from 'hono'
import { every } from 'hono/combine'
import { getCookie } from 'hono/cookie'
import type { ApiDeps, AppEnv } from '../api/app-env.js'
import { resumeSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import type { OperatorSession, User } from '../store/entities.js'
import { csrfField, sameSiteForm } from '../ui/form-guards.js'

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
    const found = await resumeSession(
      store,
      (tx) => tx.operatorSessions,
      getCookie(c, OPERATOR_COOKIE),
      env.clock.now(),
      // A disabled account's sessions stop at once, even one that was not ended.
      async (tx, session) => {
        const user = await tx.users.get(session.userId)
        return user && user.disabledAtMs === undefined ? user : undefined
      },
    )
    if (!found) {
      if (c.req.header('Accept')?.includes('text/html')) {
        const url = new URL(c.req.url)
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303)
      }
      throw new ApiError(401, 'unauthorized', 'log in to the operator UI first')
    }
    const { session, owner: user } = found
    c.set('session', session)
    c.set('user', user)
    c.set('actor', `user:${user.id}`)
    await next()
  }
}

/** Every state change: refused when a browser says another site made it, or without the session's CSRF token. */
export const operatorWrite = () =>
  every(
    sameSiteForm('cross-site requests are refused'),
    csrfField('the form is out of date or not from this site; reload the page and try again'),
  ) as MiddlewareHandler<OperatorEnv>
