/** Portal login and logout: a password for a session cookie and its CSRF token, and back. */
import type { Hono } from 'hono'
import { z } from 'zod'
import type { ApiDeps } from '../api/app-env.js'
import { readJson } from '../api/validate.js'
import { type PasswordLoginOptions, passwordLogin } from '../auth/password-login.js'
import { ApiError } from '../errors.js'
import type { PortalSession } from '../store/entities.js'
import { csrfToken, type PortalEnv, portalSession, SESSION_COOKIE, sameSiteOnly } from './portal-auth.js'

export const LoginBody = z.object({
  login: z.string().min(1).max(200),
  password: z.string().min(1).max(200),
})

/**
 * A customer's login, for the JSON API and the portal's pages alike: the same cookie, sessions and
 * throttle keys, so failures count the same at either door.
 */
export const portalPasswordLogin = (deps: ApiDeps, options: PasswordLoginOptions = {}) =>
  passwordLogin<PortalSession>(
    deps,
    {
      cookie: { name: SESSION_COOKIE, path: '/portal' },
      throttleKey: (login) => `login:${login.toLowerCase()}`,
      sessions: (tx) => tx.portalSessions,
      account: async (tx, login) => {
        const sub = await tx.subscribers.byLogin(login)
        // A deleted subscriber's login is refused like an unknown one.
        if (!sub || sub.deletedAtMs !== undefined) return undefined
        return { passwordHash: sub.passwordHash, owner: { subscriberId: sub.id } }
      },
    },
    options,
  )

export function loginRoutes(api: Hono<PortalEnv>, deps: ApiDeps, options: PasswordLoginOptions = {}): void {
  const door = portalPasswordLogin(deps, options)

  api.post('/login', sameSiteOnly(), async (c) => {
    const input = await readJson(c, LoginBody)
    const result = await door.logIn(c, input.login, input.password)
    if (result.outcome === 'throttled') {
      throw new ApiError(
        429,
        'too_many_attempts',
        `too many failed logins; try again in ${result.waitSeconds} s`,
      )
    }
    if (result.outcome === 'refused') {
      throw new ApiError(401, 'invalid_credentials', 'the login or the password is wrong')
    }
    return c.json({ csrfToken: result.session.csrfToken })
  })

  api.post('/logout', sameSiteOnly(), portalSession(deps), csrfToken(), async (c) => {
    await door.logOut(c, c.var.session.id)
    return c.body(null, 204)
  })
}
