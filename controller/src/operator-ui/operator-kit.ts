/** What every operator page module gets: the middleware stacks for pages and actions, and the frame's props. */
import type { Context, MiddlewareHandler } from 'hono'
import { every } from 'hono/combine'
import type { ApiDeps } from '../api/app-env.js'
import { may, type Permission } from '../auth/roles.js'
import { takeFlash } from '../ui/flash.js'
import { htmlPolicy } from '../ui/html-policy.js'
import { type OperatorEnv, operatorSession, operatorWrite } from './operator-auth.js'
import { declare, requires } from './permissions.js'

export interface OperatorKit {
  deps: ApiDeps
  /** For GET pages every role may read: HTML headers and a live operator session (else to the login page). */
  page: MiddlewareHandler<OperatorEnv>
  /** For GET pages only some roles may see (the staff page). */
  pageFor: (permission: Permission) => MiddlewareHandler<OperatorEnv>
  /**
   * For form posts: the same, plus the same-site check, the CSRF token, and the role's permission.
   * Every post route must use this (or `open`): one without a declared permission is refused.
   */
  action: (permission: Permission) => MiddlewareHandler<OperatorEnv>
  /** For the one post that needs no login (the login form): HTML headers only. */
  open: MiddlewareHandler<OperatorEnv>
}

export function operatorKit(deps: ApiDeps): OperatorKit {
  const session = operatorSession(deps)
  return {
    deps,
    page: every(htmlPolicy(), session) as MiddlewareHandler<OperatorEnv>,
    pageFor: (permission) =>
      every(htmlPolicy(), session, requires(permission)) as MiddlewareHandler<OperatorEnv>,
    action: (permission) =>
      declare(
        every(htmlPolicy(), session, operatorWrite(), requires(permission)) as MiddlewareHandler<OperatorEnv>,
        permission,
      ),
    open: declare(htmlPolicy() as MiddlewareHandler<OperatorEnv>, 'public'),
  }
}

/** The props OperatorPage needs from the request: who, their CSRF token, and any message left for them. */
export function frame(c: Context<OperatorEnv>) {
  const { username, role } = c.var.user
  return {
    username,
    role,
    csrf: c.var.session.csrfToken,
    flash: takeFlash(c, 'operator'),
  }
}

export type Frame = ReturnType<typeof frame>

/** Whether the page's viewer may use forms that need `permission` (the server checks again on post). */
export const can = (f: { role: Frame['role'] }, permission: Permission) => may(f.role, permission)
