/** Portal sessions: a random cookie value, kept only as its hash, with idle and absolute limits. */
import { randomBytes } from 'node:crypto'
import { hashToken } from '../auth/tokens.js'
import type { PortalSession } from '../store/entities.js'
import type { Tx } from '../store/store.js'

const HOUR_MS = 3_600_000

/** Unused this long, a session ends (a customer who closed the tab yesterday logs in again). */
export const SESSION_IDLE_MS = 12 * HOUR_MS
/** However busy, a session ends this long after login. */
export const SESSION_MAX_MS = 7 * 24 * HOUR_MS
/** `lastSeenAtMs` is renewed at most this often, so reading a page is not a store write each time. */
export const SESSION_TOUCH_MS = 5 * 60_000

/** 256 random bits, base64url: the shape of every cookie value and CSRF token this module makes. */
const SECRET = /^[A-Za-z0-9_-]{43}$/

const newSecret = () => randomBytes(32).toString('base64url')

export interface NewSession {
  /** The cookie value: handed to the browser once, never stored. */
  cookieValue: string
  session: PortalSession
}

export async function startSession(tx: Tx, subscriberId: string, nowMs: number): Promise<NewSession> {
  const cookieValue = newSecret()
  const session: PortalSession = {
    id: hashToken(cookieValue),
    subscriberId,
    csrfToken: newSecret(),
    createdAtMs: nowMs,
    lastSeenAtMs: nowMs,
    expiresAtMs: nowMs + SESSION_MAX_MS,
  }
  await tx.portalSessions.insert(session)
  return { cookieValue, session }
}

/** The live session a cookie value names, or undefined (malformed, unknown, ended, idle or expired). */
export async function findSession(
  tx: Tx,
  cookieValue: string | undefined,
  nowMs: number,
): Promise<PortalSession | undefined> {
  if (cookieValue === undefined || !SECRET.test(cookieValue)) return undefined
  // A lookup by hash: the secret itself is never compared, so its timing tells nothing.
  const session = await tx.portalSessions.get(hashToken(cookieValue))
  if (!session || !isLive(session, nowMs)) return undefined
  return session
}

export function isLive(session: PortalSession, nowMs: number): boolean {
  return (
    session.endedAtMs === undefined &&
    nowMs < session.expiresAtMs &&
    nowMs < session.lastSeenAtMs + SESSION_IDLE_MS
  )
}

/** Whether the session is due a renewal of `lastSeenAtMs` (see SESSION_TOUCH_MS). */
export const needsTouch = (session: PortalSession, nowMs: number) =>
  nowMs - session.lastSeenAtMs >= SESSION_TOUCH_MS

export async function touchSession(tx: Tx, id: string, nowMs: number): Promise<void> {
  const current = await tx.portalSessions.get(id)
  if (current && isLive(current, nowMs)) await tx.portalSessions.update({ ...current, lastSeenAtMs: nowMs })
}

export async function endSession(tx: Tx, id: string, nowMs: number): Promise<void> {
  const current = await tx.portalSessions.get(id)
  if (current && current.endedAtMs === undefined) {
    await tx.portalSessions.update({ ...current, endedAtMs: nowMs })
  }
}
