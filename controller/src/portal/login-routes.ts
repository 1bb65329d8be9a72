/** Portal login and logout: a password for a session cookie and its CSRF token, and back. */
import { randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import type { ApiDeps } from '../api/app-env.js'
import { readJson } from '../api/validate.js'
import { hashPassword, verifyPassword } from '../auth/passwords.js'
import { endSession, SESSION_MAX_MS, startSession } from '../auth/sessions.js'
import { ApiError } from '../errors.js'
import { LoginThrottle } from './login-throttle.js'
import { csrfToken, type PortalEnv, portalSession, SESSION_COOKIE, sameSiteOnly } from './portal-auth.js'
import { cameOverHttps, socketAddress } from './request-origin.js'

export const LoginBody = z.object({
  login: z.string().min(1).max(200),
  password: z.string().min(1).max(200),
})

export interface LoginOptions {
  throttle?: LoginThrottle
  /** The client's address for throttling; by default the socket's peer (set this behind a proxy). */
  clientAddress?: (c: Context) => string | undefined
}

const COOKIE_PATH = '/portal'

export function loginRoutes(api: Hono<PortalEnv>, deps: ApiDeps, options: LoginOptions = {}): void {
  const { store, env } = deps
  const throttle = options.throttle ?? new LoginThrottle()
  const clientAddress = options.clientAddress ?? socketAddress
  // Unknown logins are checked against this, so they take as long as a wrong password.
  let dummy: Promise<string> | undefined
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('base64url')))

  api.post('/login', sameSiteOnly(), async (c) => {
    const input = await readJson(c, LoginBody)
    const now = env.clock.now()
    const address = clientAddress(c)
    const keys = [`login:${input.login.toLowerCase()}`, ...(address ? [`address:${address}`] : [])]
    const wait = throttle.retryAfterSeconds(keys, now)
    if (wait > 0) {
      c.header('Retry-After', String(wait))
      throw new ApiError(429, 'too_many_attempts', `too many failed logins; try again in ${wait} s`)
    }
    const attempt = throttle.attempt(keys, now)
    const sub = await store.peek((tx) => tx.subscribers.byLogin(input.login))
    const ok = await verifyPassword(input.password, sub?.passwordHash ?? (await dummyHash()))
    if (!sub?.passwordHash || !ok) {
      throw new ApiError(401, 'invalid_credentials', 'the login or the password is wrong')
    }
    attempt.succeeded()
    const { cookieValue, session } = await store.transact((tx) =>
      startSession(tx.portalSessions, { subscriberId: sub.id }, now),
    )
    setCookie(c, SESSION_COOKIE, cookieValue, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: cameOverHttps(c),
      path: COOKIE_PATH,
      maxAge: SESSION_MAX_MS / 1000,
    })
    return c.json({ csrfToken: session.csrfToken })
  })

  api.post('/logout', sameSiteOnly(), portalSession(deps), csrfToken(), async (c) => {
    const { id } = c.var.session
    await store.transact((tx) => endSession(tx.portalSessions, id, env.clock.now()))
    deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: cameOverHttps(c) })
    return c.body(null, 204)
  })
}
