/** Operator login and logout: username + password for a session cookie, throttled like the portal's. */
import { randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { hashPassword, verifyPassword } from '../auth/passwords.js'
import { endSession, SESSION_MAX_MS, startSession } from '../auth/sessions.js'
import { LoginThrottle } from '../portal/login-throttle.js'
import { cameOverHttps, isCrossSite, socketAddress } from '../portal/request-origin.js'
import { setFlash, takeFlash } from '../ui/flash.js'
import { readForm } from '../ui/form-input.js'
import { htmlPolicy } from '../ui/html-policy.js'
import { LoginPage } from './login-page.js'
import { OPERATOR_COOKIE, type OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export interface OperatorLoginOptions {
  throttle?: LoginThrottle
  clientAddress?: (c: Context) => string | undefined
}

const LoginForm = z.object({
  username: z.string().trim().min(1, 'enter your username').max(200),
  password: z.string().min(1, 'enter your password').max(200),
})

/** Only a path on this site: `next=//evil.example` or `https://…` would make the login an open redirect. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/'
}

export function operatorLoginRoutes(
  ui: Hono<OperatorEnv>,
  kit: OperatorKit,
  options: OperatorLoginOptions = {},
) {
  const { store, env } = kit.deps
  const throttle = options.throttle ?? new LoginThrottle()
  const clientAddress = options.clientAddress ?? socketAddress
  let dummy: Promise<string> | undefined
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('base64url')))

  ui.get('/login', htmlPolicy(), (c) =>
    c.html(<LoginPage next={safeNext(c.req.query('next'))} flash={takeFlash(c, 'operator')} />),
  )

  ui.post('/login', htmlPolicy(), async (c) => {
    const next = safeNext(c.req.query('next'))
    const refuse = (status: 400 | 401 | 403 | 429, text: string, username?: string) =>
      c.html(<LoginPage next={next} flash={{ kind: 'error', text }} username={username} />, status)
    if (isCrossSite(c)) return refuse(403, 'Cross-site login attempts are refused.')
    const parsed = LoginForm.safeParse(await readForm(c))
    if (!parsed.success) return refuse(400, parsed.error.issues.map((i) => i.message).join('; '))
    const { username, password } = parsed.data
    const now = env.clock.now()
    const address = clientAddress(c)
    const keys = [`operator:${username.toLowerCase()}`, ...(address ? [`address:${address}`] : [])]
    const wait = throttle.retryAfterSeconds(keys, now)
    if (wait > 0) {
      c.header('Retry-After', String(wait))
      return refuse(429, `Too many failed logins. Try again in ${Math.ceil(wait / 60)} min.`, username)
    }
    const attempt = throttle.attempt(keys, now)
    const user = await store.peek((tx) => tx.users.byUsername(username))
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()))
    if (!user || !ok) return refuse(401, 'The username or the password is wrong.', username)
    attempt.succeeded()
    const { cookieValue } = await store.transact((tx) =>
      startSession(tx.operatorSessions, { userId: user.id }, now),
    )
    setCookie(c, OPERATOR_COOKIE, cookieValue, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: cameOverHttps(c),
      path: '/',
      maxAge: SESSION_MAX_MS / 1000,
    })
    return c.redirect(next, 303)
  })

  ui.post('/logout', kit.action, async (c) => {
    const { id } = c.var.session
    await store.transact((tx) => endSession(tx.operatorSessions, id, env.clock.now()))
    deleteCookie(c, OPERATOR_COOKIE, { path: '/', secure: cameOverHttps(c) })
    setFlash(c, 'operator', { kind: 'ok', text: 'You are logged out.' })
    return c.redirect('/login', 303)
  })
}
