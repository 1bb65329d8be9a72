/** Operator login and logout: username + password for a session cookie, throttled like the portal's. */
import type { Hono } from 'hono'
import { z } from 'zod'
import { type PasswordLoginOptions, passwordLogin } from '../auth/password-login.js'
import { isCrossSite } from '../portal/request-origin.js'
import type { OperatorSession } from '../store/entities.js'
import { type Flash, setFlash, takeFlash } from '../ui/flash.js'
import { readForm } from '../ui/form-input.js'
import { htmlPolicy } from '../ui/html-policy.js'
import { CROSS_SITE_LOGIN, loginFields, loginMessage, loginRefusal } from '../ui/login-card.js'
import { sameOriginPath } from '../ui/same-origin-path.js'
import { LoginPage, loginAction } from './login-page.js'
import { OPERATOR_COOKIE, type OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

const LoginForm = z.object({
  username: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(200),
})

const LOGIN_MESSAGES = {
  username: loginMessage('Enter your username.'),
  password: loginMessage('Enter your password.'),
}

/** Only a path on this site: `next=//evil.example` or `https://…` would make the login an open redirect. */
export function safeNext(next: string | undefined): string {
  return sameOriginPath(next)
}

export function operatorLoginRoutes(
  ui: Hono<OperatorEnv>,
  kit: OperatorKit,
  options: PasswordLoginOptions = {},
) {
  const door = passwordLogin<OperatorSession>(
    kit.deps,
    {
      cookie: { name: OPERATOR_COOKIE, path: '/' },
      throttleKey: (username) => `operator:${username.toLowerCase()}`,
      sessions: (tx) => tx.operatorSessions,
      account: async (tx, username) => {
        // Logins are lower case; a disabled account has no password that works.
        const user = await tx.users.byUsername(username.toLowerCase())
        const enabled = user?.disabledAtMs === undefined
        return user && { passwordHash: enabled ? user.passwordHash : undefined, owner: { userId: user.id } }
      },
    },
    options,
  )

  ui.get('/login', htmlPolicy(), (c) =>
    c.html(<LoginPage next={safeNext(c.req.query('next'))} flash={takeFlash(c, 'operator')} />),
  )

  ui.post('/login', kit.open, async (c) => {
    const next = safeNext(c.req.query('next'))
    const action = loginAction(next)
    const refuse = (status: 400 | 401 | 403 | 429, flash: Flash, username?: string) =>
      c.html(<LoginPage next={next} flash={flash} username={username} />, status)
    if (isCrossSite(c)) return refuse(403, { kind: 'error', text: CROSS_SITE_LOGIN })
    const fields = await readForm(c)
    const read = loginFields(LoginForm, fields, LOGIN_MESSAGES, action)
    if ('refused' in read) return refuse(400, read.refused, fields.username)
    const { username, password } = read.value
    const result = await door.logIn(c, username, password)
    if (result.outcome !== 'in') {
      const { status, text } = loginRefusal(result, 'The username or the password is wrong.')
      return refuse(status, { kind: 'error', text }, username)
    }
    return c.redirect(next, 303)
  })

  ui.post('/logout', kit.action('self'), async (c) => {
    await door.logOut(c, c.var.session.id)
    setFlash(c, 'operator', { kind: 'ok', text: 'You are logged out.' })
    return c.redirect('/login', 303)
  })
}
