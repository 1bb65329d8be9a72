/** Portal middleware: the session cookie, the CSRF token and the same-site check for state changes. */
import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { ApiDeps, AppEnv } from '../api/app-env.js'
import { findSession, needsTouch, touchSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import type { PortalSession } from '../store/entities.js'
import { isCrossSite } from './request-origin.js'

export const SESSION_COOKIE = 'capd_portal'
export const CSRF_HEADER = 'X-CSRF-Token'

export interface PortalEnv {
  Variables: AppEnv['Variables'] & {
    /** The logged-in customer: every portal route reads and changes this subscriber only. */
    subscriberId: string
    session: PortalSession
  }
}

const unauthorized = () => new ApiError(401, 'unauthorized', 'log in to the portal first')

/**
 * Requires a live session cookie. Bearer tokens are not looked at: an operator token is no
 * portal login (and a portal cookie is no operator login: /api/v1 reads only bearer tokens).
 */
export function portalSession({ store, env }: ApiDeps): MiddlewareHandler<PortalEnv> {
  return async function portalSession(c, next) {
    const now = env.clock.now()
    const session = await store.peek((tx) =>
      findSession(tx.portalSessions, getCookie(c, SESSION_COOKIE), now),
    )
    if (!session) throw unauthorized()
    const sub = await store.peek((tx) => tx.subscribers.get(session.subscriberId))
    if (!sub) throw unauthorized()
    if (needsTouch(session, now))
      await store.transact((tx) => touchSession(tx.portalSessions, session.id, now))
    c.set('session', session)
    c.set('subscriberId', session.subscriberId)
    c.set('actor', `customer:${session.subscriberId}`)
    await next()
  }
}

/** Refuses a request a browser says another site made (see isCrossSite); for every state change. */
export function sameSiteOnly(): MiddlewareHandler {
  return async function sameSiteOnly(c, next) {
    if (isCrossSite(c)) throw new ApiError(403, 'cross_site', 'cross-site requests are refused')
    await next()
  }
}

/** Requires the session's CSRF token in `X-CSRF-Token`; after portalSession. */
export function csrfToken(): MiddlewareHandler<PortalEnv> {
  return async function csrfToken(c, next) {
    if (!csrfMatches(c)) {
      throw new ApiError(403, 'csrf', `send the session's CSRF token in the ${CSRF_HEADER} header`)
    }
    await next()
  }
}

function csrfMatches(c: Context<PortalEnv>): boolean {
  const sent = Buffer.from(c.req.header(CSRF_HEADER) ?? '', 'utf8')
  const expected = Buffer.from(c.var.session.csrfToken, 'utf8')
  return sent.length === expected.length && timingSafeEqual(sent, expected)
}
