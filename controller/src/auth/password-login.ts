/** Password login, the same at every door (operator UI, portal pages and JSON): throttle, verify, cookie. */
import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import type { ApiDeps } from '../api/app-env.js'
import { cameOverHttps, socketAddress } from '../portal/request-origin.js'
import type { SessionRow } from '../store/entities.js'
import type { Table, Tx } from '../store/store.js'
import { LoginThrottle } from './login-throttle.js'
import { hashPassword, verifyPassword } from './passwords.js'
import { endSession, SESSION_MAX_MS, startSession } from './sessions.js'

export interface PasswordLoginOptions {
  throttle?: LoginThrottle
  /** The client's address for throttling; by default the socket's peer (set this behind a proxy). */
  clientAddress?: (c: Context) => string | undefined
}

/** What differs between doors: who may log in, where their sessions live, and the cookie. */
export interface PasswordDoor<S extends SessionRow> {
  cookie: { name: string; path: string }
  /** The throttle's key for a login name (the client's address is counted beside it). */
  throttleKey: (name: string) => string
  sessions: (tx: Tx) => Table<S>
  /** The account with this name: its password hash (none: it cannot log in) and its session's owner fields. */
  account: (
    tx: Tx,
    name: string,
  ) => Promise<{ passwordHash: string | undefined; owner: Omit<S, keyof SessionRow> } | undefined>
}

export type LoginResult<S> =
  | { outcome: 'in'; session: S }
  /** Too many failures: Retry-After is set on the answer. */
  | { outcome: 'throttled'; waitSeconds: number }
  | { outcome: 'refused' }

/** Unknown names are checked against this, so they take as long as a wrong password. */
let dummy: Promise<string> | undefined
const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('base64url')))

/**
 * A door's login and logout: throttled per name and per client address, and on success a session
 * in a cookie. Each door answers in its own words (a page, JSON); this only says what happened.
 */
export function passwordLogin<S extends SessionRow>(
  { store, env }: ApiDeps,
  door: PasswordDoor<S>,
  options: PasswordLoginOptions = {},
) {
  const throttle = options.throttle ?? new LoginThrottle()
  const clientAddress = options.clientAddress ?? socketAddress

  /** Checks the password; on success starts a session and sets its cookie. */
  async function logIn(c: Context, name: string, password: string): Promise<LoginResult<S>> {
    const now = env.clock.now()
    const attempt = await throttle.admit({ login: door.throttleKey(name), address: clientAddress(c) }, now)
    if (attempt.outcome === 'throttled') {
      c.header('Retry-After', String(attempt.waitSeconds))
      return attempt
    }
    const account = await store.peek((tx) => door.account(tx, name))
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyHash()))
    if (!account?.passwordHash || !ok) return { outcome: 'refused' }
    attempt.succeeded()
    const { cookieValue, session } = await store.transact((tx) =>
      startSession(door.sessions(tx), account.owner, now),
    )
    setCookie(c, door.cookie.name, cookieValue, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: cameOverHttps(c),
      path: door.cookie.path,
      maxAge: SESSION_MAX_MS / 1000,
    })
    return { outcome: 'in', session }
  }

  /** Ends the session and clears its cookie. */
  async function logOut(c: Context, sessionId: string): Promise<void> {
    await store.transact((tx) => endSession(door.sessions(tx), sessionId, env.clock.now()))
    deleteCookie(c, door.cookie.name, { path: door.cookie.path, secure: cameOverHttps(c) })
  }

  return { logIn, logOut }
}
