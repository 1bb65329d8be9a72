/**
 * Who may send which operator form. Each post route declares the one permission it needs with
 * `requires(permission)`; a post route that declares none is refused for everyone (deny by
 * default), so a route added without thinking about roles cannot be used at all.
 */
import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { may, type Permission } from '../auth/roles.js'
import { ApiError } from '../errors.js'
import type { OperatorEnv } from './operator-auth.js'

// biome-ignore lint/complexity/noBannedTypes: handlers are keyed by identity
const declared = new WeakMap<Function, Permission>()

/** What a permission lets one do, for the refusal. */
const WHAT: Readonly<Record<Permission, string>> = {
  public: 'open this page',
  self: 'change their own account',
  subscribers: 'add or edit subscribers',
  billing: 'add top-ups, record payments or change auto top-up',
  catalog: 'change plans or top-up plans',
  agents: 'enrol or revoke agents',
  staff: 'manage staff accounts',
  settings: "change the ISP's settings",
}

/** Marks `handler` as the route's permission check (see undeclaredRefused). */
export function declare<H extends MiddlewareHandler>(handler: H, permission: Permission): H {
  declared.set(handler, permission)
  return handler
}

/** The permission a route handler declares, if it is one of these checks. */
export function declaredPermission(handler: unknown): Permission | undefined {
  if (typeof handler !== 'function') return undefined
  // A sub-app mounted with its own error handler wraps each handler; the original rides along.
  const inner = (handler as { __COMPOSED_HANDLER?: unknown }).__COMPOSED_HANDLER
  return declared.get(handler) ?? (typeof inner === 'function' ? declared.get(inner) : undefined)
}

/** Lets only roles with `permission` through; the rest get a 403 page saying why. Needs the session first. */
export function requires(permission: Permission): MiddlewareHandler<OperatorEnv> {
  return async function requiresPermission(c, next) {
    const { role, username } = c.var.user
    if (!may(role, permission)) {
      throw new ApiError(
        403,
        'forbidden',
        `${username} has the ${role} role, which may not ${WHAT[permission]}. Nothing was changed; an admin can change your role.`,
      )
    }
    await next()
  }
}

/**
 * Refuses a state-changing request to a route that declares no permission. Requests matching no
 * route go on (to "not found").
 */
export function undeclaredRefused(): MiddlewareHandler {
  return async function undeclaredRefused(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const routes = matchedRoutes(c).filter((r) => r.method === c.req.method)
    if (routes.length > 0 && !routes.some((r) => declaredPermission(r.handler))) {
      throw new ApiError(403, 'forbidden', 'This action declares no permission, so no one may use it.')
    }
    await next()
  }
}
