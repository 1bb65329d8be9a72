/**
 * Browser sessions (the operator UI's and the customer portal's): a random cookie value, kept only
 * as its hash, with a CSRF token and idle and absolute limits. Each kind lives in its own table, so
 * a session of one kind is never found when the other is asked for.
 */
import { randomBytes } from 'node:crypto'
import type { SessionRow } from '../store/entities.js'
import type { PrunableTable, Store, Table, Tx } from '../store/store.js'
import { hashToken } from './tokens.js'

const HOUR_MS = 3_600_000

/** Unused this long, a session ends (someone who closed the tab yesterday logs in again). */
export const SESSION_IDLE_MS = 12 * HOUR_MS
/** However busy, a session ends this long after login. */
export const SESSION_MAX_MS = 7 * 24 * HOUR_MS
/** `lastSeenAtMs` is renewed at most this often, so reading a page is not a store write each time. */
export const SESSION_TOUCH_MS = 5 * 60_000

/** 256 random bits, base64url: the shape of every cookie value and CSRF token this module makes. */
const SECRET = /^[A-Za-z0-9_-]{43}$/

const newSecret = () => randomBytes(32).toString('base64url')

export interface NewSession<S extends SessionRow> {
  /** The cookie value: handed to the browser once, never stored. */
  cookieValue: string
  session: S
}

/** Starts a session whose owner fields (`subscriberId`, `userId`) are `owner`. */
export async function startSession<S extends SessionRow>(
  table: Table<S>,
  owner: Omit<S, keyof SessionRow>,
  nowMs: number,
): Promise<NewSession<S>> {
  const cookieValue = newSecret()
  const session = {
    ...owner,
    id: hashToken(cookieValue),
    csrfToken: newSecret(),
    createdAtMs: nowMs,
    lastSeenAtMs: nowMs,
    expiresAtMs: nowMs + SESSION_MAX_MS,
  } as S
  await table.insert(session)
  return { cookieValue, session }
}

/** The live session a cookie value names, or undefined (malformed, unknown, ended, idle or expired). */
export async function findSession<S extends SessionRow>(
  table: Table<S>,
  cookieValue: string | undefined,
  nowMs: number,
): Promise<S | undefined> {
  if (cookieValue === undefined || !SECRET.test(cookieValue)) return undefined
  // A lookup by hash: the secret itself is never compared, so its timing tells nothing.
  const session = await table.get(hashToken(cookieValue))
  if (!session || !isLive(session, nowMs)) return undefined
  return session
}

export function isLive(session: SessionRow, nowMs: number): boolean {
  return (
    session.endedAtMs === undefined &&
    nowMs < session.expiresAtMs &&
    nowMs < session.lastSeenAtMs + SESSION_IDLE_MS
  )
}

/** Whether the session is due a renewal of `lastSeenAtMs` (see SESSION_TOUCH_MS). */
export const needsTouch = (session: SessionRow, nowMs: number) =>
  nowMs - session.lastSeenAtMs >= SESSION_TOUCH_MS

export async function touchSession<S extends SessionRow>(table: Table<S>, id: string, nowMs: number) {
  const current = await table.get(id)
  if (current && isLive(current, nowMs)) await table.update({ ...current, lastSeenAtMs: nowMs })
}

/**
 * The live session a cookie value names, with its owner (undefined if the owner is gone), renewed
 * when due: what every request behind a session login starts with.
 */
export async function resumeSession<S extends SessionRow, O>(
  store: Store,
  table: (tx: Tx) => Table<S>,
  cookieValue: string | undefined,
  nowMs: number,
  ownerOf: (tx: Tx, session: S) => Promise<O | undefined>,
): Promise<{ session: S; owner: O } | undefined> {
  const found = await store.peek(async (tx) => {
    const session = await findSession(table(tx), cookieValue, nowMs)
    const owner = session && (await ownerOf(tx, session))
    return session && owner ? { session, owner } : undefined
  })
  if (found && needsTouch(found.session, nowMs)) {
    await store.transact((tx) => touchSession(table(tx), found.session.id, nowMs))
  }
  return found
}

export async function endSession<S extends SessionRow>(table: Table<S>, id: string, nowMs: number) {
  const current = await table.get(id)
  if (current && current.endedAtMs === undefined) await table.update({ ...current, endedAtMs: nowMs })
}

/**
 * Forgets sessions that can never be used again (ended, expired or idle) for longer than
 * `keepMs`, so the store does not grow with every login. Returns how many were removed.
 */
export async function pruneSessions<S extends SessionRow>(
  table: PrunableTable<S>,
  nowMs: number,
  keepMs: number,
): Promise<number> {
  let removed = 0
  for (const session of await table.list()) {
    const deadAtMs = Math.min(
      session.endedAtMs ?? Number.POSITIVE_INFINITY,
      session.expiresAtMs,
      session.lastSeenAtMs + SESSION_IDLE_MS,
    )
    if (deadAtMs + keepMs <= nowMs) {
      await table.delete(session.id)
      removed++
    }
  }
  return removed
}
