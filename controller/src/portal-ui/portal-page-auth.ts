/**
 * The portal pages' guards: the `capd_portal` session (the JSON API's table and cookie), a refusal
 * of cross-site posts, and the CSRF token as a hidden form field. Every handler behind them reads
 * `c.var.subscriberId`, the session's subscriber, and never an id from the request.
 */

import type { Context, MiddlewareHandler } from 'hono'
import { every } from 'hono/combine'
import type { ApiDeps } from '../api/app-env.js'
import { ApiError } from '../errors.js'
import { bodyCap } from '../http/body-cap.js'
import { findPortalSession, type PortalEnv, useSession } from '../portal/portal-auth.js'
import { loadBrand } from '../ui/brand.js'
import { setFlash, takeFlash } from '../ui/flash.js'
import { csrfField, sameSiteForm } from '../ui/form-guards.js'
import { htmlPolicy } from '../ui/html-policy.js'

/** A portal form is a login, a top-up or a few settings: a few hundred bytes. */
const FORM_LIMIT_BYTES = 16 * 1024

export interface PortalPageKit {
  deps: ApiDeps
  /** GET pages: HTML headers and a live session, else back to the login page. */
  page: MiddlewareHandler<PortalEnv>
  /** Form posts: the same-site check, a small body, a live session and the form's CSRF field. */
  action: MiddlewareHandler<PortalEnv>
  /** The change stream: a live session, else 401 (an EventSource cannot follow a login page). */
  stream: MiddlewareHandler<PortalEnv>
}

function requireSession(deps: ApiDeps, missing: 'login' | 'refuse'): MiddlewareHandler<PortalEnv> {
  return async function portalPageSession(c, next) {
    const session = await findPortalSession(deps, c)
    if (!session) {
      if (missing === 'refuse') throw new ApiError(401, 'unauthorized', 'log in to the portal first')
      // Nothing was done: the post (if any) is dropped and the customer logs in anew.
      if (c.req.method !== 'GET') {
        setFlash(c, 'portal', { kind: 'error', text: 'Your session has ended. Log in again.' })
      }
      return c.redirect('/portal', 303)
    }
    useSession(c, session)
    if (missing === 'login') c.set('brand', await loadBrand(deps.store))
    await next()
  }
}

const smallBody = () => bodyCap(FORM_LIMIT_BYTES)

export function portalPageKit(deps: ApiDeps): PortalPageKit {
  return {
    deps,
    page: every(htmlPolicy(), requireSession(deps, 'login')) as MiddlewareHandler<PortalEnv>,
    action: every(
      htmlPolicy(),
      sameSiteForm('Cross-site requests are refused.'),
      smallBody(),
      requireSession(deps, 'login'),
      csrfField('The form is out of date or not from this site. Reload the page and try again.'),
    ) as MiddlewareHandler<PortalEnv>,
    stream: requireSession(deps, 'refuse'),
  }
}

/** What PortalPage needs from the request: the CSRF token, any message left for the customer, the ISP. */
export function portalFrame(c: Context<PortalEnv>) {
  return { csrf: c.var.session.csrfToken, flash: takeFlash(c, 'portal'), brand: c.var.brand }
}

/** For the login form, which needs no session. */
export const loginGuards = () => every(htmlPolicy(), smallBody())
