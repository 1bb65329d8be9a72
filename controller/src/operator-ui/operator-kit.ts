/** What every operator page module gets: the middleware stacks for pages and actions, and the frame's props. */
import type { Context, MiddlewareHandler } from 'hono'
import { every } from 'hono/combine'
import type { ApiDeps } from '../api/app-env.js'
import { takeFlash } from '../ui/flash.js'
import { htmlPolicy } from '../ui/html-policy.js'
import { type OperatorEnv, operatorSession, operatorWrite } from './operator-auth.js'

export interface OperatorKit {
  deps: ApiDeps
  /** For GET pages: HTML headers and a live operator session (else to the login page). */
  page: MiddlewareHandler<OperatorEnv>
  /** For form posts: the same, plus the same-site check and the CSRF token. */
  action: MiddlewareHandler<OperatorEnv>
}

export function operatorKit(deps: ApiDeps): OperatorKit {
  const session = operatorSession(deps)
  return {
    deps,
    page: every(htmlPolicy(), session) as MiddlewareHandler<OperatorEnv>,
    action: every(htmlPolicy(), session, operatorWrite()) as MiddlewareHandler<OperatorEnv>,
  }
}

/** The props OperatorPage needs from the request: who, their CSRF token, and any message left for them. */
export function frame(c: Context<OperatorEnv>) {
  return { username: c.var.user.username, csrf: c.var.session.csrfToken, flash: takeFlash(c, 'operator') }
}

export type Frame = ReturnType<typeof frame>
