/**
 * Portal login and logout as forms. The same checks as the JSON login (portal/login-routes.ts):
 * the same session table and cookie, and the same throttle instance and keys.
 */
import type { Hono } from 'hono'
import { LoginBody, portalPasswordLogin } from '../portal/login-routes.js'
import type { PortalOptions } from '../portal/portal-api.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import { isCrossSite } from '../portal/request-origin.js'
import { loadBrand } from '../ui/brand.js'
import { type Flash, setFlash } from '../ui/flash.js'
import { readForm } from '../ui/form-input.js'
import { CROSS_SITE_LOGIN, loginFields, loginMessage, loginRefusal } from '../ui/login-card.js'
import { PORTAL_LOGIN_ACTION, PortalLoginPage } from './portal-login-page.js'
import { loginGuards, type PortalPageKit } from './portal-page-auth.js'

const LOGIN_MESSAGES = {
  login: loginMessage('Enter your login.'),
  password: loginMessage('Enter your password.'),
}

export function portalLoginRoutes(
  ui: Hono<PortalEnv>,
  kit: PortalPageKit,
  options: PortalOptions = {},
): void {
  const door = portalPasswordLogin(kit.deps, options)

  // A reload after a failed login lands here: the form lives at /portal.
  ui.get('/login', (c) => c.redirect('/portal', 303))

  ui.post('/login', loginGuards(), async (c) => {
    const refuse = async (status: 400 | 401 | 403 | 429, flash: Flash, login?: string) =>
      c.html(<PortalLoginPage flash={flash} login={login} brand={await loadBrand(kit.deps.store)} />, status)
    if (isCrossSite(c)) return refuse(403, { kind: 'error', text: CROSS_SITE_LOGIN })
    const fields = await readForm(c)
    const read = loginFields(LoginBody, fields, LOGIN_MESSAGES, PORTAL_LOGIN_ACTION)
    if ('refused' in read) return refuse(400, read.refused, fields.login)
    const { login, password } = read.value
    const result = await door.logIn(c, login, password)
    if (result.outcome !== 'in') {
      const { status, text } = loginRefusal(result, 'The login or the password is wrong.')
      return refuse(status, { kind: 'error', text }, login)
    }
    return c.redirect('/portal', 303)
  })

  ui.post('/logout', kit.action, async (c) => {
    await door.logOut(c, c.var.session.id)
    setFlash(c, 'portal', { kind: 'ok', text: 'You are logged out.' })
    return c.redirect('/portal', 303)
  })
}
