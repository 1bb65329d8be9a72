/** Route-test helpers for roles: staff accounts of each role, each with its own logged-in browser. */
import { hashPassword } from '../auth/passwords.js'
import type { Role } from '../auth/roles.js'
import { startSession } from '../auth/sessions.js'
import { addStaff } from '../domain/staff.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { testApp } from '../testing/test-app.js'

export const STAFF_PASSWORD = 'staff-password-long-1'

export async function staffTestKit() {
  const t = await testApp()
  const seeded = await t.seed()
  const admin = Object.values(t.data.users).find((u) => u.username === 'admin')!

  /** A staff account with STAFF_PASSWORD (or `password`). */
  async function addAccount(username: string, role: Role, password = STAFF_PASSWORD) {
    const passwordHash = await hashPassword(password)
    return t.store.transact((tx) =>
      addStaff(tx, t.env, 'system', { username, name: username, role, passwordHash }),
    )
  }

  /** A browser with a fresh session of `userId` (no password round: fast), and its CSRF token. */
  async function sessionOf(userId: string) {
    const { cookieValue, session } = await t.store.transact((tx) =>
      startSession(tx.operatorSessions, { userId }, t.clock.now()),
    )
    const browser = new BrowserCaller(t.app)
    browser.cookies.set('capd_session', cookieValue)
    const csrf = session.csrfToken
    /** Posts a form as the page would (with the CSRF token). */
    const post = (path: string, form: Record<string, string> = {}) =>
      browser.post(path, { _csrf: csrf, ...form })
    return { browser, csrf, post, sessionId: session.id }
  }

  /** Logs in through the form, as a person would. */
  async function logIn(username: string, password: string) {
    const browser = new BrowserCaller(t.app)
    const reply = await browser.post('/login', { username, password })
    return { browser, reply }
  }

  return { ...t, ...seeded, admin, addAccount, sessionOf, logIn }
}
