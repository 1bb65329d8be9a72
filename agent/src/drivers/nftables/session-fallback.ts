/**
 * The sessions the nftables driver plans with. A failing source (accel-pppd down, a hung command)
 * must not stop enforcement for everyone: the last list read stands in while it is young; past that
 * the login subscribers alone have no address (fail open for them), and all others are enforced.
 */
import type { IpPrefix } from '@capd/protocol'
import { prefixesByLogin } from '../login-prefixes.js'
import type { SessionSource } from './session-source.js'

/** How long the last list read may stand in for a source that fails. */
export const LAST_SESSIONS_MAX_AGE_MS = 10 * 60_000

export interface SessionsNow {
  /** login → its sessions' prefixes. */
  byLogin: Map<string, IpPrefix[]>
  /** Set when the sessions could not be read and no list is young enough: why (byLogin is empty). */
  unread?: string
}

export interface SessionFallback {
  /** Never rejects: a failure is warned of and answered as above. */
  read(): Promise<SessionsNow>
}

export function createSessionFallback(
  source: SessionSource,
  warn: (line: string) => void,
  nowMs: () => number = Date.now,
): SessionFallback {
  let last: { byLogin: Map<string, IpPrefix[]>; atMs: number } | undefined
  /** The source failed at the last read (a failure streak is warned of once while the last list stands in). */
  let failing = false
  return {
    async read() {
      try {
        const byLogin = prefixesByLogin(await source.read())
        if (failing) warn('sessions can be read again: enforcing every login on its current sessions')
        failing = false
        last = { byLogin, atMs: nowMs() }
        return { byLogin }
      } catch (error) {
        const why = (error as Error).message
        const ageMs = last === undefined ? undefined : nowMs() - last.atMs
        if (last && ageMs !== undefined && ageMs < LAST_SESSIONS_MAX_AGE_MS) {
          if (!failing) {
            warn(
              `${why}; enforcing logins on the sessions read ${Math.round(ageMs / 1000)} s ago until ` +
                `they can be read again (for at most ${LAST_SESSIONS_MAX_AGE_MS / 60_000} min): a login ` +
                'or logout meanwhile is not seen',
            )
          }
          failing = true
          return { byLogin: last.byLogin }
        }
        failing = true
        warn(
          `${why}; no session list from the last ${LAST_SESSIONS_MAX_AGE_MS / 60_000} min, so ` +
            'subscribers known by login have no address: they are not counted, capped or blocked ' +
            'until the sessions can be read (everyone else is enforced as usual)',
        )
        return { byLogin: new Map(), unread: why }
      }
    },
  }
}
