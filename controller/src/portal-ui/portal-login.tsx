/**
 * Portal login and logout as forms. The same checks as the JSON login (portal/login-routes.ts):
 * the same session table and cookie, the same throttle instance, and unknown logins checked
 * against a dummy hash so they take as long as a wrong password.
 */
import { randomBytes } from 'node:crypto'
import type { Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { hashPassword, verifyPassword } from '../auth/passwords.js'
import { endSession, SESSION_MAX_MS, startSession } from '../auth/sessions.js'
import { LoginBody } from '../portal/login-routes.js'
import { LoginThrottle } from '../portal/login-throttle.js'
import type { PortalOptions } from '../portal/portal-api.js'
import { type PortalEnv, SESSION_COOKIE } from '../portal/portal-auth.js'
import { cameOverHttps, isCrossSite, socketAddress } from '../portal/request-origin.js'
import { setFlash } from '../ui/flash.js'
import { readForm } from '../ui/form-input.js'
import { PortalLoginPage } from './portal-login-page.js'
import { loginGuards, type PortalPageKit } from './portal-page-auth.js'

const COOKIE_PATH = '/portal'

export function portalLoginRoutes(
  ui: Hono<PortalEnv>,
  kit: PortalPageKit,
  options: PortalOptions = {},
): void {
  const { store, env } = kit.deps
  const throttle = options.throttle ?? new LoginThrottle()
  const clientAddress = options.clientAddress ?? socketAddress
  let dummy: Promise<string> | undefined
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('base64url')))

  // A reload after a failed login lands here: the form lives at /portal.
  ui.get('/login', (c) => c.redirect('/portal', 303))

  ui.post('/login', loginGuards(), async (c) => {
    const refuse = (status: 400 | 401 | 403 | 429, text: string, login?: string) =>
      c.html(<PortalLoginPage flash={{ kind: 'error', text }} login={login} />, status)
    if (isCrossSite(c)) return refuse(403, 'Cross-site login attempts are refused.')
    const parsed = LoginBody.safeParse(await readForm(c))
    if (!parsed.success) return refuse(400, 'Enter your login and your password.')
    const { login, password } = parsed.data
    const now = env.clock.now()
    const address = clientAddress(c)
    // The JSON login's keys: one throttle counts failures at either door.
    const keys = [`login:${login.toLowerCase()}`, ...(address ? [`address:${address}`] : [])]
    const wait = throttle.retryAfterSeconds(keys, now)
    if (wait > 0) {
      c.header('Retry-After', String(wait))
      return refuse(429, `Too many failed logins. Try again in ${Math.ceil(wait / 60)} min.`, login)
    }
    const attempt = throttle.attempt(keys, now)
    const sub = await store.peek((tx) => tx.subscribers.byLogin(login))
    const ok = await verifyPassword(password, sub?.passwordHash ?? (await dummyHash()))
    if (!sub?.passwordHash || !ok) return refuse(401, 'The login or the password is wrong.', login)
    attempt.succeeded()
    const { cookieValue } = await store.transact((tx) =>
      startSession(tx.portalSessions, { subscriberId: sub.id }, now),
    )
    setCookie(c, SESSION_COOKIE, cookieValue, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: cameOverHttps(c),
      path: COOKIE_PATH,
      maxAge: SESSION_MAX_MS / 1000,
    })
    return c.redirect('/portal', 303)
  })

  ui.post('/logout', kit.action, async (c) => {
    const { id } = c.var.session
    await store.transact((tx) => endSession(tx.portalSessions, id, env.clock.now()))
    deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: cameOverHttps(c) })
    setFlash(c, 'portal', { kind: 'ok', text: 'You are logged out.' })
    return c.redirect('/portal', 303)
  })
}
