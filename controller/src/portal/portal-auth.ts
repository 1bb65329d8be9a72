/** Portal middleware: the session cookie, the CSRF token and the same-site check for state changes. */

import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { ApiDeps, AppEnv } from '../api/app-env.js'
import { resumeSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import type { PortalSession } from '../store/entities.js'
import type { Brand } from '../ui/brand.js'
import { isCrossSite } from './request-origin.js'

export const SESSION_COOKIE = 'capd_portal'
export const CSRF_HEADER = 'X-CSRF-Token'

export interface PortalEnv {
  Variables: AppEnv['Variables'] & {
    /** The logged-in customer: every portal route reads and changes this subscriber only. */
    subscriberId: string
    session: PortalSession
    /** The ISP's name and logo for the page's frame (set by the portal pages' guard). */
    brand: Brand
  }
}

/** The live session the cookie names, renewed when due; undefined if none or its subscriber is gone or deleted. */
export async function findPortalSession(
  { store, env }: ApiDeps,
  c: Context,
): Promise<PortalSession | undefined> {
  const found = await resumeSession(
    store,
    (tx) => tx.portalSessions,
    getCookie(c, SESSION_COOKIE),
    env.clock.now(),
    async (tx, session) => {
      const sub = await tx.subscribers.get(session.subscriberId)
      return sub?.deletedAtMs === undefined ? sub : undefined
    },
  )
  return found?.session
}

/** Makes `session` the request's: its subscriber is the only one the handlers will read or change. */
export function useSession(c: Context<PortalEnv>, session: PortalSession): void {
  c.set('session', session)
  c.set('subscriberId', session.subscriberId)
  c.set('actor', `customer:${session.subscriberId}`)
}

/**
 * Requires a live session cookie. Bearer tokens are not looked at: an operator token is no
 * portal login (and a portal cookie is no operator login: /api/v1 reads only bearer tokens).
 */
export function portalSession(deps: ApiDeps): MiddlewareHandler<PortalEnv> {
  return async function portalSession(c, next) {
    const session = await findPortalSession(deps, c)
    if (!session) throw new ApiError(401, 'unauthorized', 'log in to the portal first')
    useSession(c, session)
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
